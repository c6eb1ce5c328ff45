import type { HistoryResponseItem } from '../../api-types/index.js';
import { escapePath } from '../../client/index.js';
import { type FlagSpec, flagBool, flagString } from '../../core/index.js';
import { FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { rfc3339, timeAgo } from '../human-time.js';
import { QUIET_FORMAT, type Row, ellipsis, renderList, truncateId } from '../table.js';
import { humanSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  { name: 'format', type: 'string', help: FORMAT_HELP },
  {
    name: 'human',
    short: 'H',
    type: 'bool',
    default: true,
    help: 'Print sizes and dates in human readable format (default true)',
  },
  { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
];

const DEFAULT_TABLE =
  'table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}';
const NON_HUMAN_TABLE =
  'table {{.ID}}\\t{{.CreatedAt}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}';

export const HISTORY_HEADERS: Row = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** docker's NewHistoryFormat. */
export function historyFormat(source: string, quiet: boolean, human: boolean): string {
  if (source !== 'table') return source;
  if (quiet) return QUIET_FORMAT;
  return human ? DEFAULT_TABLE : NON_HUMAN_TABLE;
}

/** Layers created before 2000 (e.g. a zero time) show as N/A. */
const EPOCH_2000 = Date.UTC(2000, 0, 1) / 1000;

/** docker's historyContext: one row per history entry. */
export function historyRow(
  item: HistoryResponseItem,
  options: { trunc: boolean; human: boolean; now?: number },
): Row {
  const createdAt = rfc3339(item.Created);
  let createdSince = createdAt;
  if (options.human) {
    createdSince = item.Created <= EPOCH_2000 ? 'N/A' : timeAgo(item.Created, options.now);
  }
  const createdBy = (item.CreatedBy ?? '').replaceAll('\t', ' ');
  return {
    ID: options.trunc ? truncateId(item.Id) : item.Id,
    CreatedSince: createdSince,
    CreatedAt: createdAt,
    CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
    Size: options.human ? humanSize(item.Size) : String(item.Size),
    Comment: item.Comment ?? '',
  };
}

async function runHistory(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1, 1);
  const name = flags.args[0] ?? '';
  const history = await ctx
    .client()
    .json<HistoryResponseItem[]>('GET', `/images/${escapePath(name)}/history`);
  const human = flagBool(flags, 'human');
  const format = historyFormat(
    flagString(flags, 'format') || 'table',
    flagBool(flags, 'quiet'),
    human,
  );
  const trunc = !flagBool(flags, 'no-trunc');
  const rows = history.map((item) => historyRow(item, { trunc, human }));
  ctx.stdout.write(renderList(format, rows, HISTORY_HEADERS));
  return 0;
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the history of an image',
  usage: 'moor history [OPTIONS] IMAGE',
  run(ctx, argv) {
    return runHistory(ctx, this, argv);
  },
};
