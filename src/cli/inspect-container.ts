import { escapePath } from '../client/index.js';
import type { CliContext } from './context.js';

/**
 * `GET /containers/{id}/json` (`?size=1` for -s): the daemon's bytes, kept for printing as
 * docker does, and the parsed value for templates.
 */
export async function inspectContainer(
  ctx: CliContext,
  name: string,
  size = false,
): Promise<{ raw: string; value: unknown }> {
  // docker's client refuses an empty name without asking the daemon.
  if (name === '') throw new Error('Error: No such container: ');
  const res = await ctx.client().stream('GET', `/containers/${escapePath(name)}/json`, {
    query: { size: size ? '1' : undefined },
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  return { raw, value: JSON.parse(raw) };
}
