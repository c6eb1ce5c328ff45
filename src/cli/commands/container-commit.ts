import { type FlagSpec, flagBool, flagList, flagString } from '../../core/index.js';
import { parseReference, repositoryName } from '../../oci/index.js';
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
    help: 'Pause container during commit',
  },
];

/** docker's commit: `POST /commit`, printing the new image's id. */
async function runCommit(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv, { interspersed: false });
  if (!flags) return 0;
  checkArgs(command, flags.args, 1, 2);
  const [container = '', target] = flags.args;
  const query: Record<string, string | string[] | undefined> = {
    container,
    author: flagString(flags, 'author'),
    comment: flagString(flags, 'message'),
    pause: flagBool(flags, 'pause') ? '1' : '0',
    changes: flagList(flags, 'change'),
  };
  if (target !== undefined && target !== '') {
    const ref = parseReference(target);
    query['repo'] = repositoryName(ref);
    query['tag'] = ref.tag ?? '';
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
