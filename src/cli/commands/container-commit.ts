import { type FlagSpec, flagBool, flagList, flagString } from '../../core/index.js';
import { familiarName, parseReference } from '../../oci/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'author',
    short: 'a',
    type: 'string',
    help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
  },
  {
    name: 'change',
    short: 'c',
    type: 'list',
    value: 'list',
    help: 'Apply Dockerfile instruction to the created image',
  },
  { name: 'message', short: 'm', type: 'string', help: 'Commit message' },
  {
    name: 'pause',
    short: 'p',
    type: 'bool',
    default: true,
    help: 'Pause container during commit (default true)',
  },
];

/**
 * docker's commit: `POST /commit`, printing the new image's id. The reference is checked and
 * split here, as docker's client does (familiar name, tag `latest` by default, no digest);
 * `pause=0` is sent only when asked for.
 */
async function runCommit(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv, { interspersed: false });
  if (!flags) return 0;
  checkArgs(command, flags.args, 1, 2);
  const [container = '', target = ''] = flags.args;
  const query: Record<string, string | string[] | undefined> = {
    container,
    repo: '',
    tag: '',
    comment: flagString(flags, 'message') ?? '',
    author: flagString(flags, 'author') ?? '',
    changes: flagList(flags, 'change'),
    ...(flagBool(flags, 'pause') ? {} : { pause: '0' }),
  };
  if (target !== '') {
    const ref = parseReference(target);
    if (ref.digest !== undefined) {
      throw new Error('refusing to create a tag with a digest reference');
    }
    query['repo'] = familiarName(ref);
    query['tag'] = ref.tag ?? 'latest';
  }
  const answer = await ctx.client().json<{ Id: string }>('POST', '/commit', { query });
  ctx.stdout.write(`${answer.Id}\n`);
  return 0;
}

export const commitCommand: Command = {
  name: 'commit',
  summary: "Create a new image from a container's changes",
  usage: 'moor commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  run(ctx, argv) {
    return runCommit(ctx, this, argv);
  },
};
