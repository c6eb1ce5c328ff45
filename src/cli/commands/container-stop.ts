import { type FlagSpec, type ParsedFlags, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { forEachContainer } from '../container-each.js';
import type { CliContext, Command } from '../context.js';
import { flagValueError, parseGoInt } from '../run-values.js';
import { containerPath } from '../container-path.js';

const FLAGS: FlagSpec[] = [
  { name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
  {
    name: 'timeout',
    short: 't',
    type: 'string',
    value: 'int',
    help: 'Seconds to wait before killing the container',
  },
  {
    name: 'time',
    type: 'string',
    value: 'int',
    hidden: true,
    help: 'Seconds to wait before killing the container (deprecated: use --timeout)',
  },
];

/** The query of stop and restart: `signal` and `t` only when given, as docker sends them. */
export function stopQuery(flags: ParsedFlags): Record<string, string | undefined> {
  if (flags.given.has('time') && flags.given.has('timeout')) {
    throw new Error('conflicting options: cannot specify both --timeout and --time');
  }
  const name = flags.given.has('timeout') ? 'timeout' : flags.given.has('time') ? 'time' : '';
  let t: string | undefined;
  if (name !== '') {
    const text = flagString(flags, name) ?? '';
    try {
      t = String(parseGoInt(text));
    } catch (err) {
      throw flagValueError(
        FLAGS.find((f) => f.name === name) ?? name,
        text,
        (err as Error).message,
      );
    }
  }
  return { signal: flagString(flags, 'signal') || undefined, t };
}

async function run(
  ctx: CliContext,
  command: Command,
  argv: string[],
  verb: 'stop' | 'restart',
): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1);
  const query = stopQuery(flags);
  if (flags.given.has('time')) {
    ctx.stderr.write('Flag --time has been deprecated, use --timeout instead\n');
  }
  return forEachContainer(
    ctx,
    flags.args,
    (name) => ctx.client().json('POST', containerPath(name, `/${verb}`), { query }),
    // docker restarts one container after the other.
    { parallel: verb === 'stop' },
  );
}

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop one or more running containers',
  usage: 'moor stop [OPTIONS] CONTAINER [CONTAINER...]',
  run(ctx, argv) {
    return run(ctx, this, argv, 'stop');
  },
};

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Restart one or more containers',
  usage: 'moor restart [OPTIONS] CONTAINER [CONTAINER...]',
  run(ctx, argv) {
    return run(ctx, this, argv, 'restart');
  },
};
