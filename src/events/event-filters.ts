import { type FilterArgs, checkFilterKeys, labelsMatch } from '../core/index.js';
import type { EventRecord } from './event-record.js';

const KEYS = [
  'config',
  'container',
  'daemon',
  'event',
  'image',
  'label',
  'network',
  'node',
  'plugin',
  'scope',
  'secret',
  'service',
  'type',
  'volume',
] as const;

/** Throws Docker's `invalid filter 'KEY'` for keys /events does not know. */
export function checkEventFilters(filters: FilterArgs): void {
  checkFilterKeys(filters, KEYS);
}

/** Docker's fuzzy match: a value is a prefix of the actor's id or of its `name` attribute. */
function matchesActor(values: readonly string[], event: EventRecord): boolean {
  const name = event.actor.attributes['name'] ?? '';
  return values.some((v) => event.actor.id.startsWith(v) || name.startsWith(v));
}

/** A reference without its tag (`busybox:1` → `busybox`; a digest or registry port stays). */
function stripTag(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash && !ref.includes('@') ? ref.slice(0, colon) : ref;
}

function matchesImage(values: readonly string[], event: EventRecord): boolean {
  const id = event.actor.id;
  const name = event.actor.attributes[event.type === 'image' ? 'name' : 'image'] ?? '';
  const candidates = [id, name, stripTag(id), stripTag(name)];
  return values.some((v) => candidates.includes(v));
}

/**
 * Docker's event filter: values of one key are OR-ed, keys are AND-ed. `container`,
 * `network`, `volume`... match the actor's id or `name` by prefix; `image` the actor or the
 * image a container runs, with or without tag; `event` the action (`exec_create` matches
 * `exec_create: sh`); `label` the actor's attributes.
 */
export function eventMatches(filters: FilterArgs, event: EventRecord): boolean {
  const values = (key: string) => filters[key] ?? [];
  const types = values('type');
  if (types.length > 0 && !types.includes(event.type)) return false;
  const actions = values('event');
  const action = event.action.split(':')[0] ?? event.action;
  if (actions.length > 0 && !actions.includes(event.action) && !actions.includes(action)) {
    return false;
  }
  if (!labelsMatch(values('label'), event.actor.attributes)) return false;
  if (values('scope').length > 0 && !values('scope').includes('local')) return false;
  // Each key restricts whatever the event is about, as Docker's filter does.
  for (const type of [
    'container',
    'network',
    'volume',
    'plugin',
    'service',
    'node',
    'secret',
    'config',
  ] as const) {
    const wanted = values(type);
    if (wanted.length > 0 && !matchesActor(wanted, event)) return false;
  }
  if (values('image').length > 0 && !matchesImage(values('image'), event)) return false;
  const daemons = values('daemon');
  if (daemons.length > 0 && !matchesActor(daemons, event)) return false;
  return true;
}
