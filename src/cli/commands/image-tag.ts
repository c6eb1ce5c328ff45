import { escapePath } from '../../client/index.js';
import { errorMessage, isMoorError } from '../../core/index.js';
import { type Reference, parseReference, repositoryName } from '../../oci/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';

function parseTarget(target: string): Reference {
  try {
    return parseReference(target);
  } catch (err) {
    if (!isMoorError(err, 'InvalidArgument')) throw err;
    throw new Error(
      `Error parsing reference: "${target}" is not a valid repository/tag: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/**
 * docker's ImageTag: the target is normalised (`busybox` → `docker.io/library/busybox`, tag
 * `latest` by default) and sent as `repo` and `tag`; a digest target is refused.
 */
async function runTag(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, [], argv, { interspersed: false });
  if (!flags) return 0;
  checkArgs(command, flags.args, 2, 2);
  const [source = '', target = ''] = flags.args;
  const ref = parseTarget(target);
  if (ref.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
  await ctx.client().json('POST', `/images/${escapePath(source)}/tag`, {
    query: { repo: repositoryName(ref), tag: ref.tag ?? 'latest' },
  });
  return 0;
}

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  usage: 'moor tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  run(ctx, argv) {
    return runTag(ctx, this, argv);
  },
};
