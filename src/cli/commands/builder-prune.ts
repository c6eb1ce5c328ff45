import { type FlagSpec, flagBool, flagList, flagString } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { filtersQuery, parseFilters } from '../filter-flag.js';
import { confirm } from '../prompt.js';
import { flagValueError, parseRamBytes } from '../run-values.js';
import { humanSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'all',
    short: 'a',
    type: 'bool',
    help: 'Remove all unused build cache, not just dangling ones',
  },
  {
    name: 'filter',
    type: 'list',
    value: 'filter',
    help: 'Provide filter values (e.g. "until=24h")',
  },
  { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  {
    name: 'keep-storage',
    type: 'string',
    value: 'bytes',
    help: 'Amount of disk space to keep for cache',
  },
];

const DANGLING_WARNING =
  'WARNING! This will remove all dangling build cache. Are you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all build cache. Are you sure you want to continue?';

/** What `POST /build/prune` answers. */
export interface BuildCachePruneReport {
  CachesDeleted?: string[] | null;
  SpaceReclaimed?: number;
}

/** docker's report: `Deleted build cache objects:` and the ids, a blank line, then the total. */
export function buildCachePruneReport(report: BuildCachePruneReport): string {
  const deleted = report.CachesDeleted ?? [];
  const list =
    deleted.length > 0
      ? `Deleted build cache objects:\n${deleted.map((id) => `${id}\n`).join('')}\n`
      : '';
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0, 4)}\n`;
}

async function runPrune(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 0, 0);
  const filters = parseFilters(flagList(flags, 'filter'), '--filter');
  const keepText = flagString(flags, 'keep-storage');
  let keepStorage = 0;
  if (keepText !== undefined) {
    try {
      keepStorage = parseRamBytes(keepText);
    } catch (err) {
      throw flagValueError('keep-storage', keepText, (err as Error).message);
    }
  }
  const all = flagBool(flags, 'all');
  if (!flagBool(flags, 'force') && !(await confirm(ctx, all ? ALL_WARNING : DANGLING_WARNING))) {
    // docker cancels quietly: nothing more is printed, exit 0.
    return 0;
  }
  const report = await ctx.client().json<BuildCachePruneReport>('POST', '/build/prune', {
    query: {
      all: all ? '1' : undefined,
      'keep-storage': keepStorage !== 0 ? String(keepStorage) : undefined,
      filters: filtersQuery(filters),
    },
  });
  ctx.stdout.write(buildCachePruneReport(report ?? {}));
  return 0;
}

export const builderPruneCommand: Command = {
  name: 'builder prune',
  summary: 'Remove build cache',
  usage: 'moor builder prune',
  run(ctx, argv) {
    return runPrune(ctx, this, argv);
  },
};
