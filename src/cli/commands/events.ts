import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

import { type FlagSpec, flagList, flagString } from '../../core/index.js';
import { parseFilterTime } from '../../oci/index.js';
import { INSPECT_FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { filtersQuery, parseFilters } from '../filter-flag.js';
import { GO_STRUCT, compileTemplate } from '../go-template.js';
import { rfc3339FixedNanos } from '../human-time.js';
import { withJson } from '../go-values.js';

/** Docker's events.Message as the API sends it. */
export interface WireEvent {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

const FLAGS: FlagSpec[] = [
  {
    name: 'filter',
    short: 'f',
    type: 'list',
    value: 'filter',
    help: 'Filter output based on conditions provided',
  },
  { name: 'format', type: 'string', value: 'string', help: INSPECT_FORMAT_HELP },
  {
    name: 'since',
    type: 'string',
    value: 'string',
    help: 'Show all events created since timestamp',
  },
  { name: 'until', type: 'string', value: 'string', help: 'Stream events until this timestamp' },
];

/** A time flag as the docker CLI sends it: `seconds.nanoseconds`. */
export function timestampQuery(value: string | undefined, now = Date.now()): string | undefined {
  if (!value) return undefined;
  const ns = parseFilterTime(value, now);
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${fraction}`;
}

/** docker events' default line: time, type, action, actor, and the attributes sorted by key. */
export function eventLine(event: WireEvent, timeNano: bigint): string {
  const attributes = Object.entries(event.Actor.Attributes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  const tail = attributes.length > 0 ? ` (${attributes.join(', ')})` : '';
  return `${rfc3339FixedNanos(timeNano)} ${event.Type} ${event.Action} ${event.Actor.ID}${tail}`;
}

/**
 * The event as docker's template sees it: events.Message's Go fields (TimeNano exact), and
 * for `json` its Go encoding (attributes in key order).
 */
function typedEvent(event: WireEvent, timeNano: bigint): unknown {
  const attributes = Object.fromEntries(
    Object.entries(event.Actor.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const value = {
    [GO_STRUCT]: 'events.Message',
    Status: event.status ?? '',
    ID: event.id ?? '',
    From: event.from ?? '',
    Type: event.Type,
    Action: event.Action,
    Actor: { [GO_STRUCT]: 'events.Actor', ID: event.Actor.ID, Attributes: attributes },
    Scope: event.scope,
    Time: event.time,
    TimeNano: timeNano,
  };
  return withJson(value, { ...event, Actor: { ID: event.Actor.ID, Attributes: attributes } });
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Get real time events from the server',
  usage: 'moor events [OPTIONS]',
  aliases: ['system events', 'events'],
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const filters = parseFilters(flagList(flags, 'filter'));
    const format = flagString(flags, 'format') ?? '';
    const render =
      format === '' ? undefined : compileTemplate(format === 'json' ? '{{json .}}' : format);
    const res = (await ctx.client().stream('GET', '/events', {
      query: {
        filters: filtersQuery(filters),
        since: timestampQuery(flagString(flags, 'since')),
        until: timestampQuery(flagString(flags, 'until')),
      },
    })) as Readable;
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      // The daemon writes exact int64 nanoseconds; keep them exact for the time shown.
      const timeNano = BigInt(/"timeNano":(\d+)/.exec(line)?.[1] ?? '0');
      const raw = JSON.parse(line) as WireEvent;
      ctx.stdout.write(
        `${render ? render(typedEvent(raw, timeNano)) : eventLine(raw, timeNano)}\n`,
      );
    }
    return 0;
  },
};
