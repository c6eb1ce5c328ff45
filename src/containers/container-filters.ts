import {
  type FilterArgs,
  boolFilter,
  checkFilterKeys,
  exactMatcher,
  hasFilter,
  internal,
  invalidArgument,
  labelsMatch,
  notFound,
  regexMatcher,
} from '../core/index.js';
import type { ContainerRecord } from './container-record.js';
import { isUp } from './container-state.js';
import { parseFilterTime, rfc3339Nanos } from '../oci/index.js';

/** Docker's `filters` for containers: key → values. */
export type ContainerFilters = FilterArgs;

/*
 * `GET /containers/json` (which containers, in which order) and `POST /containers/prune`
 * (which stopped containers go), with Docker's filters, its order of checks and its errors.
 */

const LIST_FILTERS = [
  'ancestor',
  'before',
  'exited',
  'id',
  'isolation',
  'label',
  'name',
  'status',
  'health',
  'since',
  'volume',
  'network',
  'is-task',
  'publish',
  'expose',
];
const STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const HEALTHS = ['none', 'starting', 'healthy', 'unhealthy'];
const PRUNE_FILTERS = ['label', 'label!', 'until'];

export interface ListOptions {
  /** Include containers that are not running (paused and restarting ones always show). */
  all: boolean;
  /** When above 0: at most this many, newest first, stopped ones included. */
  limit?: number;
  filters: ContainerFilters;
  /** The image ID a reference (name[:tag], ID or ID prefix) names, if any. */
  resolveImage: (ref: string) => string | undefined;
  /** The image an image was built on, if known: `ancestor` then matches descendants too. */
  parentOf?: (imageId: string) => string | undefined;
}

function parseExitCode(value: string): number {
  const fail = (why: string) =>
    invalidArgument(
      `invalid filter 'exited=${value}': strconv.Atoi: parsing ${JSON.stringify(value)}: ${why}`,
    );
  if (!/^[+-]?\d+$/.test(value)) throw fail('invalid syntax');
  const code = BigInt(value);
  if (code > 2n ** 63n - 1n || code < -(2n ** 63n)) throw fail('value out of range');
  return Number(code);
}

function checkEnum(key: string, what: string, allowed: readonly string[], values: string[]): void {
  for (const value of values) {
    if (allowed.includes(value)) continue;
    throw invalidArgument(
      `invalid filter '${key}=${value}': invalid value for ${what} (${value}): must be one of ${allowed.join(', ')}`,
    );
  }
}

/** Docker's before/since: a full ID or a name; the last value given wins. */
function findContainer(records: readonly ContainerRecord[], values: string[]): string | undefined {
  let found: string | undefined;
  for (const value of values) {
    const name = value.replace(/^\//, '');
    const hit = records.find((r) => r.id === value) ?? records.find((r) => r.name === name);
    if (!hit) throw notFound(`No such container: ${value}`);
    found = hit.id;
  }
  return found;
}

function parseUint16(text: string, value: string, key: string): number {
  const fail = (why: string) =>
    internal(
      `error while looking up for ${key} ${value}: strconv.ParseUint: parsing ${JSON.stringify(text)}: ${why}`,
    );
  if (!/^\d+$/.test(text)) throw fail('invalid syntax');
  const port = Number(text);
  if (port > 65535) throw fail('value out of range');
  return port;
}

/** Docker's publish/expose values: `80`, `80/udp`, `8000-8080/tcp` → `port/proto` keys. */
function parsePortFilter(filters: ContainerFilters, key: string): Set<string> {
  const ports = new Set<string>();
  for (const value of filters[key] ?? []) {
    if (value.includes(':')) {
      throw internal(`filter for '${key}' should not contain ':': ${value}`);
    }
    const [port = '', proto = ''] = value.split('/');
    if (port === '') {
      throw internal(
        `error while looking up for ${key} ${value}: empty string specified for ports`,
      );
    }
    const [first = '', last] = port.split('-');
    const start = parseUint16(first, value, key);
    const end = last === undefined ? start : parseUint16(last, value, key);
    if (end < start) {
      throw internal(
        `error while looking up for ${key} ${value}: invalid range specified for port: ${port}`,
      );
    }
    for (let p = start; p <= end; p++) ports.add(`${p}/${proto || 'tcp'}`);
  }
  return ports;
}

/** The ports a running container shows: exposed `port/proto` and published `hostPort/proto`. */
function portsOf(record: ContainerRecord): { exposed: Set<string>; published: Set<string> } {
  const exposed = new Set<string>();
  const published = new Set<string>();
  const mode = record.hostConfig.NetworkMode ?? '';
  const status = record.state.status;
  if ((status !== 'running' && status !== 'paused') || mode === 'host' || mode === 'none') {
    return { exposed, published };
  }
  const bindings = record.hostConfig.PortBindings ?? {};
  const keys = new Set([
    ...Object.keys(record.config.ExposedPorts ?? {}),
    ...Object.keys(bindings),
  ]);
  for (const key of keys) {
    const m = /^(\d+)(?:\/(\w+))?$/.exec(key);
    if (!m) continue;
    const proto = m[2] ?? 'tcp';
    exposed.add(`${Number(m[1])}/${proto}`);
    for (const binding of bindings[key] ?? []) {
      if (/^\d+$/.test(binding.HostPort ?? ''))
        published.add(`${Number(binding.HostPort)}/${proto}`);
    }
  }
  return { exposed, published };
}

/** Volume names, bind sources and mount destinations, as Docker's `volume` filter looks them up. */
function mountKeysOf(record: ContainerRecord): Set<string> {
  const keys = new Set<string>();
  for (const mount of record.mounts ?? []) {
    keys.add(mount.destination).add(mount.source);
    if (mount.name) keys.add(mount.name);
  }
  keys.delete('');
  return keys;
}

/** The networks the record is attached to, by name (`default` is the bridge network). */
function networksOf(record: ContainerRecord): string[] {
  const mode = record.hostConfig.NetworkMode ?? '';
  if (mode === '' || mode === 'default') return ['bridge'];
  return mode.startsWith('container:') ? [] : [mode];
}

function isAncestor(options: ListOptions, images: Set<string>, imageId: string): boolean {
  const seen = new Set<string>();
  for (let id: string | undefined = imageId; id && !seen.has(id); id = options.parentOf?.(id)) {
    if (images.has(id)) return true;
    seen.add(id);
  }
  return false;
}

function newestFirst(records: readonly ContainerRecord[]): ContainerRecord[] {
  const keyed = records.map((record) => ({ record, created: rfc3339Nanos(record.created) }));
  keyed.sort((a, b) => {
    if (a.created !== b.created) return a.created > b.created ? -1 : 1;
    return a.record.id.localeCompare(b.record.id);
  });
  return keyed.map((k) => k.record);
}

/** Docker looks at name and ID matches only, when those filters are given. */
function shortlist(records: readonly ContainerRecord[], filters: ContainerFilters) {
  const ids = filters.id ?? [];
  const names = filters.name ?? [];
  const sorted = newestFirst(records);
  if (ids.length + names.length === 0) return sorted;
  const matches = new Set<string>();
  for (const prefix of ids) {
    const hits = prefix === '' ? [] : records.filter((r) => r.id.startsWith(prefix));
    if (hits.length === 1 && hits[0]) matches.add(hits[0].id); // ambiguous prefixes match none
  }
  if (names.length > 0) {
    const nameMatch = regexMatcher(filters, 'name');
    for (const r of records) {
      if (ids.length > 0 && !matches.has(r.id)) continue;
      if (nameMatch(`/${r.name}`) || nameMatch(r.name)) matches.add(r.id);
    }
  }
  return sorted.filter((r) => matches.has(r.id));
}

/** The list filters, read and checked once (in Docker's order, so errors come in its order). */
function readListFilters(records: readonly ContainerRecord[], options: ListOptions) {
  const f = options.filters;
  checkFilterKeys(f, LIST_FILTERS);
  const exitCodes = (f.exited ?? []).map(parseExitCode);
  checkEnum('status', 'state', STATES, f.status ?? []);
  const isTask = boolFilter(f, 'is-task', false);
  checkEnum('health', 'health', HEALTHS, f.health ?? []);
  const before = findContainer(records, f.before ?? []);
  const since = findContainer(records, f.since ?? []);
  const images = new Set<string>();
  for (const ref of f.ancestor ?? []) {
    const id = options.resolveImage(ref);
    if (id !== undefined) images.add(id);
  }
  return {
    f,
    exitCodes,
    isTask,
    before,
    since,
    images,
    publish: parsePortFilter(f, 'publish'),
    expose: parsePortFilter(f, 'expose'),
    all: options.all || (f.status ?? []).length > 0,
    limit: options.limit !== undefined && options.limit > 0 ? options.limit : 0,
    name: regexMatcher(f, 'name'),
    id: regexMatcher(f, 'id'),
    status: exactMatcher(f, 'status'),
    health: exactMatcher(f, 'health'),
  };
}

type ListFilters = ReturnType<typeof readListFilters>;

/** The checks Docker makes before it counts a container against the limit. */
function passesFirst(r: ContainerRecord, q: ListFilters): boolean {
  if (!isUp(r.state.status) && !q.all && q.limit === 0) return false;
  if (!q.name(`/${r.name}`) && !q.name(r.name)) return false;
  if (!q.id(r.id)) return false;
  if (q.isTask) return false; // moor runs no swarm tasks
  // `isolation` is a Windows filter: Docker on Linux ignores it.
  return labelsMatch(q.f.label ?? [], r.config.Labels);
}

function passesRest(r: ContainerRecord, q: ListFilters, options: ListOptions): boolean {
  const f = q.f;
  const s = r.state;
  if (q.exitCodes.length > 0) {
    const ended = !isUp(s.status) && !s.startedAt.startsWith('0001-');
    if (!ended || !q.exitCodes.includes(s.exitCode)) return false;
  }
  if (!q.status(s.status) || !q.health(s.health?.status ?? 'none')) return false;
  if (hasFilter(f, 'volume')) {
    const keys = mountKeysOf(r);
    if (!(f.volume ?? []).some((v) => keys.has(v))) return false;
  }
  if (hasFilter(f, 'ancestor') && !isAncestor(options, q.images, r.imageId)) return false;
  if (hasFilter(f, 'network')) {
    const networks = networksOf(r);
    if (!(f.network ?? []).some((n) => networks.includes(n))) return false;
  }
  if (q.publish.size === 0 && q.expose.size === 0) return true;
  const ports = portsOf(r);
  return (
    [...ports.published].some((p) => q.publish.has(p)) ||
    [...ports.exposed].some((p) => q.expose.has(p))
  );
}

/**
 * The containers `GET /containers/json` lists, newest first. Without `all` (or a `status`
 * filter, or a limit above 0) only running, paused and restarting ones. Filters as Docker's:
 * unknown keys and bad values throw its errors (InvalidArgument; NotFound for before/since;
 * Internal, as Docker's 500, for malformed publish/expose).
 */
export function filterContainers(
  records: readonly ContainerRecord[],
  options: ListOptions,
): ContainerRecord[] {
  const q = readListFilters(records, options);
  let before = q.before;
  const out: ContainerRecord[] = [];
  for (const r of shortlist(records, q.f)) {
    if (before !== undefined) {
      if (r.id === before) before = undefined;
      continue;
    }
    if (r.id === q.since) break;
    if (!passesFirst(r, q)) continue;
    if (q.limit > 0 && out.length === q.limit) break;
    if (passesRest(r, q, options)) out.push(r);
  }
  return out;
}

/**
 * `POST /containers/prune`: a predicate true for the containers to remove — those not running,
 * paused or restarting, created no later than `until`, with every `label` and not all `label!`
 * labels. Throws Docker's errors for other keys, several `until`s or an unreadable time.
 */
export function pruneFilter(
  filters: ContainerFilters,
  now = Date.now(),
): (record: ContainerRecord) => boolean {
  checkFilterKeys(filters, PRUNE_FILTERS);
  const untils = filters.until ?? [];
  if (untils.length > 1) throw invalidArgument('more than one until filter specified');
  const until = untils[0] === undefined ? undefined : parseFilterTime(untils[0], now);
  const excluding = hasFilter(filters, 'label!');
  return (record) => {
    if (isUp(record.state.status)) return false;
    if (until !== undefined && rfc3339Nanos(record.created) > until) return false;
    if (!labelsMatch(filters.label ?? [], record.config.Labels)) return false;
    return !(excluding && labelsMatch(filters['label!'] ?? [], record.config.Labels));
  };
}
