import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { FORMAT_HELP, parseOrHelp } from '../command-flags.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { errorText } from '../error-text.js';
import { STATS_HEADERS, statsFormat, statsRow, terminalFrame } from '../stats-format.js';
import { type StatsSet, createStatsSet, followContainers } from '../stats-watch.js';
import { renderList } from '../table.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'all',
    short: 'a',
    type: 'bool',
    help: 'Show all containers (default shows just running)',
  },
  { name: 'format', type: 'string', help: FORMAT_HELP },
  {
    name: 'no-stream',
    type: 'bool',
    help: 'Disable streaming stats and only pull the first result',
  },
  { name: 'no-trunc', type: 'bool', help: 'Do not truncate output' },
];

/** docker's redraw interval (its figures change once a second, as the daemon samples). */
const FRAME_MS = 500;

/**
 * Named containers: every one must answer (docker joins the errors, one a line, and prints no
 * table).
 */
async function watchNamed(set: StatsSet, names: readonly string[], host: string): Promise<void> {
  for (const name of names) set.add(name);
  await set.waitFirst();
  const errors = set.slots.map((slot) => slot.error).filter((err) => err !== undefined);
  if (errors.length > 0) throw new Error(errors.map((err) => errorText(err, host)).join('\n'));
}

/**
 * Redraws the table until following the daemon's containers stops (its error, if any, ends the
 * command) or the command is interrupted. On a terminal each frame overwrites the previous one
 * as docker's does; elsewhere the frames follow each other as plain tables (docker writes the
 * terminal codes into pipes and files too).
 */
async function streamFrames(
  ctx: CliContext,
  frame: () => string,
  ended: Promise<Error | undefined> | undefined,
): Promise<number> {
  const terminal = isTerminal(ctx.stdout);
  let stopped: { error: Error | undefined } | undefined;
  void ended?.then((error) => (stopped = { error }));
  for (;;) {
    await sleep(FRAME_MS);
    const text = frame();
    if (!ctx.stdout.write(terminal ? terminalFrame(text) : text)) await once(ctx.stdout, 'drain');
    if (stopped !== undefined) {
      if (stopped.error !== undefined) throw stopped.error;
      return 0;
    }
  }
}

/**
 * docker stats: the named containers, or the running ones (`-a`: all) followed as they start
 * and stop; one table once every container has a sample, then (without `--no-stream`) a new
 * one every half second.
 */
export const statsCommand: Command = {
  name: 'stats',
  summary: 'Display a live stream of container(s) resource usage statistics',
  usage: 'moor stats [OPTIONS] [CONTAINER...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    const noStream = flagBool(flags, 'no-stream');
    const format = statsFormat(flagString(flags, 'format') ?? '');
    const trunc = !flagBool(flags, 'no-trunc');
    const client = ctx.client();
    const stop = new AbortController();
    const set = createStatsSet(client, { stream: !noStream, signal: stop.signal });
    try {
      let ended: Promise<Error | undefined> | undefined;
      if (flags.args.length > 0) await watchNamed(set, flags.args, ctx.host);
      else {
        const all = flagBool(flags, 'all');
        ({ ended } = await followContainers(client, set, { all, signal: stop.signal }));
        await set.waitFirst();
      }
      const frame = () =>
        renderList(
          format,
          set.slots.map((slot) => statsRow(slot.entry, { trunc })),
          STATS_HEADERS,
        );
      if (noStream) {
        ctx.stdout.write(frame());
        return 0;
      }
      return await streamFrames(ctx, frame, ended);
    } finally {
      stop.abort();
    }
  },
};
