import { type FlagSpec, flagBool } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { errorText, isApiStatus } from '../error-text.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'force',
    short: 'f',
    type: 'bool',
    help: 'Force the removal of a running container (uses SIGKILL)',
  },
  { name: 'link', short: 'l', type: 'bool', help: 'Remove the specified link' },
  {
    name: 'volumes',
    short: 'v',
    type: 'bool',
    help: 'Remove anonymous volumes associated with the container',
  },
];

/**
 * docker rm: every container at once, names printed in order as they go; with --force a
 * container that does not exist is reported on stderr but is no failure.
 */
export const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more containers',
  usage: 'moor rm [OPTIONS] CONTAINER [CONTAINER...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const force = flagBool(flags, 'force');
    const query = {
      force: force ? '1' : undefined,
      link: flagBool(flags, 'link') ? '1' : undefined,
      v: flagBool(flags, 'volumes') ? '1' : undefined,
    };
    const results = flags.args.map(async (name) => {
      const id = name.replace(/^\/+|\/+$/g, '');
      if (id === '') throw new Error('container name cannot be empty');
      await ctx.client().json('DELETE', containerPath(id), { query });
    });
    for (const result of results) result.catch(() => undefined);
    const errors: string[] = [];
    for (const [i, result] of results.entries()) {
      try {
        await result;
        ctx.stdout.write(`${flags.args[i]}\n`);
      } catch (err) {
        if (force && isApiStatus(err, 404)) ctx.stderr.write(`${errorText(err, ctx.host)}\n`);
        else errors.push(errorText(err, ctx.host));
      }
    }
    if (errors.length === 0) return 0;
    ctx.stderr.write(`${errors.join('\n')}\n`);
    return 1;
  },
};
