import type { ContainerPruneResponse } from '../../api-types/index.js';
import { type FlagSpec, flagBool, flagList } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { filtersQuery, parseFilters } from '../filter-flag.js';
import { confirm } from '../prompt.js';
import { humanSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'filter',
    type: 'list',
    value: 'filter',
    help: 'Provide filter values (e.g. "until=<timestamp>")',
  },
  { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
];

const WARNING = `WARNING! This will remove all stopped containers.
Are you sure you want to continue?`;

/** docker's report: `Deleted Containers:` and the ids, a blank line, then the total. */
export function containerPruneReport(report: ContainerPruneResponse): string {
  const deleted = report.ContainersDeleted ?? [];
  let out = '';
  let reclaimed = 0;
  if (deleted.length > 0) {
    out = `Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}\n`;
    reclaimed = report.SpaceReclaimed;
  }
  return `${out}Total reclaimed space: ${humanSize(reclaimed, 4)}\n`;
}

export const containerPruneCommand: Command = {
  name: 'container prune',
  summary: 'Remove all stopped containers',
  usage: 'moor container prune [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const filters = parseFilters(flagList(flags, 'filter'), '--filter');
    if (!flagBool(flags, 'force') && !(await confirm(ctx, WARNING))) {
      // docker treats a refusal as a cancellation: nothing more is printed, exit 0.
      return 0;
    }
    const report = await ctx.client().json<ContainerPruneResponse>('POST', '/containers/prune', {
      query: { filters: filtersQuery(filters) },
    });
    ctx.stdout.write(containerPruneReport(report));
    return 0;
  },
};
