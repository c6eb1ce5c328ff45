import type { CliContext } from './context.js';
import { containerPath } from './container-path.js';
import { fetchInspected } from './inspect-fetch.js';
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
  const { raw, value } = await fetchInspected(ctx, containerPath(name, '/json'), {
    size: size ? '1' : undefined,
  });
  return { raw, value, typed: typedContainer(value) };
}
