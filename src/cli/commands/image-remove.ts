import type { ImageDeleteResponseItem } from '../../api-types/index.js';
import { ApiError, escapePath } from '../../client/index.js';
import { type FlagSpec, flagBool } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { errorText, isApiStatus } from '../error-text.js';

const FLAGS: FlagSpec[] = [
  { name: 'force', short: 'f', type: 'bool', help: 'Force removal of the image' },
  { name: 'no-prune', type: 'bool', help: 'Do not delete untagged parents' },
];

/** docker's `Untagged: x` / `Deleted: sha256:...` lines. */
export function deletedLines(items: readonly ImageDeleteResponseItem[]): string {
  return items
    .map((item) => {
      const { Deleted, Untagged } = item as { Deleted?: string; Untagged?: string };
      return Deleted ? `Deleted: ${Deleted}\n` : `Untagged: ${Untagged ?? ''}\n`;
    })
    .join('');
}

/**
 * docker's rmi: every image is tried; failures are reported together at the end and exit 1,
 * except that with -f images that do not exist are only reported (exit 0).
 */
async function runRemove(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1);
  const force = flagBool(flags, 'force');
  const query = {
    force: force ? '1' : undefined,
    noprune: flagBool(flags, 'no-prune') ? '1' : undefined,
  };
  const errors: string[] = [];
  let fatal = false;
  for (const name of flags.args) {
    try {
      const items = await ctx
        .client()
        .json<ImageDeleteResponseItem[]>('DELETE', `/images/${escapePath(name)}`, { query });
      ctx.stdout.write(deletedLines(items ?? []));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err; // the daemon is unreachable: main says so
      if (!isApiStatus(err, 404)) fatal = true;
      errors.push(errorText(err));
    }
  }
  if (errors.length === 0) return 0;
  ctx.stderr.write(errors.join('\n') + '\n');
  return force && !fatal ? 0 : 1;
}

export const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove one or more images',
  usage: 'moor rmi [OPTIONS] IMAGE [IMAGE...]',
  run(ctx, argv) {
    return runRemove(ctx, this, argv);
  },
};
