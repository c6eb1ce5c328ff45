import type { CliContext } from './context.js';
import { containerPath } from './container-path.js';
import { typedContainer } from './inspect-types.js';

/**
 * `GET /containers/{id}/json` (`?size=1` for -s): the daemon's bytes, kept for printing as
 * docker does, the parsed value, and the value as docker's Go type (for templates).
 */
export async function inspectContainer(
  ctx: CliContext,
  name: string,
  size = false,
): Promise<{ raw: string; value: unknown; typed: unknown }> {
  const res = await ctx.client().stream('GET', containerPath(name, '/json'), {
    query: { size: size ? '1' : undefined },
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  const value: unknown = JSON.parse(raw);
  return { raw, value, typed: typedContainer(value) };
}
