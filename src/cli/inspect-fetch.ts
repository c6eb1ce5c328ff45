import type { CliContext } from './context.js';

/**
 * An inspect request's answer: the daemon's bytes (printed as they came, as docker prints
 * them) and the parsed value (for templates).
 */
export async function fetchInspected(
  ctx: CliContext,
  path: string,
  query?: Record<string, string | undefined>,
): Promise<{ raw: string; value: unknown }> {
  const res = await ctx.client().stream('GET', path, query ? { query } : {});
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  return { raw, value: JSON.parse(raw) };
}
