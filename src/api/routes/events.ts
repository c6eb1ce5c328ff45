import {
  type EventLog,
  type EventRecord,
  checkEventFilters,
  eventMatches,
} from '../../events/index.js';
import { parseFilterTime } from '../../oci/index.js';
import { exactJson } from '../exact-json.js';
import { queryFilters } from '../request.js';
import type { Route } from '../router.js';

const NS_PER_S = 1_000_000_000n;

/** Docker's events.Message: the legacy status/id/from for containers and images, then the rest. */
export function toWireEvent(event: EventRecord): Record<string, unknown> {
  const legacy =
    event.type === 'container'
      ? {
          status: event.action,
          id: event.actor.id,
          ...(event.actor.attributes['image'] ? { from: event.actor.attributes['image'] } : {}),
        }
      : event.type === 'image'
        ? { status: event.action, id: event.actor.id }
        : {};
  return {
    ...legacy,
    Type: event.type,
    Action: event.action,
    Actor: { ID: event.actor.id, Attributes: event.actor.attributes },
    scope: 'local',
    time: event.timeNano / NS_PER_S,
    timeNano: event.timeNano,
  };
}

/**
 * `GET /events`: past events from `since`, then live ones, until `until` (the stream then
 * ends) or the client goes away. One JSON document per event.
 */
export function eventRoutes(log: EventLog): Route[] {
  return [
    {
      method: 'GET',
      path: '/events',
      handler: async (ctx) => {
        const filters = queryFilters(ctx.query);
        checkEventFilters(filters);
        const since = ctx.query.get('since');
        const until = ctx.query.get('until');
        const sinceNano = since ? parseFilterTime(since) : undefined;
        const untilNano = until ? parseFilterTime(until) : undefined;
        ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
        ctx.res.flushHeaders();
        const events = log.subscribe({
          ...(sinceNano !== undefined ? { sinceNano } : {}),
          ...(untilNano !== undefined ? { untilNano } : {}),
          accept: (event) => eventMatches(filters, event),
          signal: ctx.signal,
        });
        for await (const event of events) ctx.res.write(`${exactJson(toWireEvent(event))}\n`);
        ctx.res.end();
      },
    },
  ];
}
