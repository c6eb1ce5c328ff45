import type { ContainerSummary } from '../../api-types/index.js';
import { type FlagSpec, flagBool, flagList, flagString } from '../../core/index.js';
import { FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import {
  CONTAINER_HEADERS,
  checkTemplate,
  containerFormat,
  containerRow,
} from '../container-format.js';
import type { Command } from '../context.js';
import { filtersQuery, parseFilters } from '../filter-flag.js';
import { flagValueError, parseGoInt } from '../run-values.js';
import { renderList } from '../table.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'all',
    short: 'a',
    type: 'bool',
    help: 'Show all containers (default shows just running)',
  },
  {
    name: 'filter',
    short: 'f',
    type: 'list',
    value: 'filter',
    help: 'Filter output based on conditions provided',
  },
  { name: 'format', type: 'string', help: FORMAT_HELP },
  {
    name: 'last',
    short: 'n',
    type: 'string',
    value: 'int',
    help: 'Show n last created containers (includes all states) (default -1)',
  },
  {
    name: 'latest',
    short: 'l',
    type: 'bool',
    help: 'Show the latest created container (includes all states)',
  },
  { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Only display container IDs' },
  { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
];

/** docker ps: `GET /containers/json` with docker's query, rendered as docker's table or format. */
export const psCommand: Command = {
  name: 'ps',
  summary: 'List containers',
  usage: 'moor ps [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const quiet = flagBool(flags, 'quiet');
    const format = flagString(flags, 'format') ?? '';
    if (format !== '' && quiet) {
      ctx.stderr.write(
        'WARNING: Ignoring custom format, because both --format and --quiet are set.\n',
      );
    }
    const lastText = flagString(flags, 'last');
    let last = -1;
    if (lastText !== undefined) {
      try {
        last = parseGoInt(lastText);
      } catch (err) {
        throw flagValueError(FLAGS[3] as FlagSpec, lastText, (err as Error).message);
      }
    }
    if (flagBool(flags, 'latest') && last === -1) last = 1;
    let size = flagBool(flags, 'size');
    if (format !== '') {
      const { usesSize } = checkTemplate(format);
      if (!quiet && !flags.given.has('size')) size ||= usesSize;
    }
    const containers = await ctx.client().json<ContainerSummary[]>('GET', '/containers/json', {
      query: {
        all: flagBool(flags, 'all') ? '1' : undefined,
        limit: last > 0 ? String(last) : undefined,
        size: size ? '1' : undefined,
        filters: filtersQuery(parseFilters(flagList(flags, 'filter'))),
      },
    });
    const trunc = !flagBool(flags, 'no-trunc');
    const rows = containers.map((c) => containerRow(c, { trunc }));
    ctx.stdout.write(renderList(containerFormat(format, quiet, size), rows, CONTAINER_HEADERS));
    return 0;
  },
};
