import type { ImagePruneResponse } from '../../api-types/index.js';
import { type FlagSpec, flagBool, flagList } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { addFilter, filtersQuery, parseFilters } from '../filter-flag.js';
import { confirm } from '../prompt.js';
import { humanSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'all',
    short: 'a',
    type: 'bool',
    help: 'Remove all unused images, not just dangling ones',
  },
  {
    name: 'filter',
    type: 'list',
    value: 'filter',
    help: 'Provide filter values (e.g. "until=<timestamp>")',
  },
  { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
];

const ALL_WARNING =
  'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';
const DANGLING_WARNING =
  'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';

/** docker's prune report: `Deleted Images:` with `untagged:`/`deleted:` lines, then the total. */
export function pruneReport(report: ImagePruneResponse): string {
  const deleted = report.ImagesDeleted ?? [];
  let out = '';
  let reclaimed = 0;
  if (deleted.length > 0) {
    out += 'Deleted Images:\n';
    for (const item of deleted) {
      const { Deleted, Untagged } = item as { Deleted?: string; Untagged?: string };
      out += Untagged ? `untagged: ${Untagged}\n` : `deleted: ${Deleted ?? ''}\n`;
    }
    out += '\n';
    reclaimed = report.SpaceReclaimed;
  }
  return `${out}Total reclaimed space: ${humanSize(reclaimed, 4)}\n`;
}

export const imagePruneCommand: Command = {
  name: 'image prune',
  summary: 'Remove unused images',
  usage: 'moor image prune [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const all = flagBool(flags, 'all');
    const filters = parseFilters(flagList(flags, 'filter'), '--filter');
    addFilter(filters, 'dangling', String(!all));
    if (!flagBool(flags, 'force') && !(await confirm(ctx, all ? ALL_WARNING : DANGLING_WARNING))) {
      // docker treats a refusal as a cancellation: nothing more is printed, exit 0.
      return 0;
    }
    const report = await ctx.client().json<ImagePruneResponse>('POST', '/images/prune', {
      query: { filters: filtersQuery(filters) },
    });
    ctx.stdout.write(pruneReport(report));
    return 0;
  },
};
