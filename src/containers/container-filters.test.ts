import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  containerId,
  containerRecord,
  type RecordOverrides,
} from '../../test/helpers/container-records.js';
import { isMoorError } from '../core/index.js';
import {
  filterContainers,
  pruneFilter,
  type ContainerFilters,
  type ListOptions,
} from './container-filters.js';
import type { ContainerRecord } from './container-record.js';
import { parseBind, parseMountSpec } from './mount-point.js';

const IMAGE = (c: string) => `sha256:${c.repeat(64)}` as const;
const STARTED = '2026-01-01T00:00:01Z';
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000000001Z`;

function make(name: string, idPrefix: string, minute: number, more: RecordOverrides = {}) {
  return containerRecord({ name, id: containerId(idPrefix), created: at(minute), ...more });
}

// Oldest first; list results come newest first.
const web = make('web', 'aa01', 1, {
  state: { status: 'running', startedAt: STARTED },
  config: { Image: 'nginx', Labels: { tier: 'front', team: 'a' }, ExposedPorts: { '80/tcp': {} } },
  hostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, Binds: ['/srv:/usr/share'] },
  mounts: [parseBind('/srv:/usr/share')],
  imageId: IMAGE('b'),
});
const db = make('db', 'aa02', 2, {
  state: {
    status: 'exited',
    exitCode: 1,
    startedAt: STARTED,
    finishedAt: at(3),
    health: { status: 'unhealthy', failingStreak: 3, log: [] },
  },
  config: { Image: 'postgres', Labels: { tier: 'back' }, Volumes: { '/var/lib/pg': {} } },
  hostConfig: {
    NetworkMode: 'backend',
    Mounts: [{ Type: 'volume', Source: 'pgdata', Target: '/data' }],
  },
  mounts: [
    parseMountSpec({ Type: 'volume', Source: 'pgdata', Target: '/data' }),
    { ...parseBind('/var/lib/pg'), name: 'f00d' },
  ],
  imageId: IMAGE('c'),
});
const fresh = make('fresh', 'bb03', 3, { imageId: IMAGE('d') });
const paused = make('held', 'cc04', 4, {
  state: {
    status: 'paused',
    startedAt: STARTED,
    health: { status: 'healthy', failingStreak: 0, log: [] },
  },
  hostConfig: { NetworkMode: 'host' },
  imageId: IMAGE('b'),
});
const looping = make('looping', 'dd05', 5, {
  state: { status: 'restarting', exitCode: 2, startedAt: STARTED, finishedAt: at(5) },
  imageId: IMAGE('e'),
});
const RECORDS = [fresh, web, looping, db, paused]; // any order

const images: Record<string, string> = {
  nginx: IMAGE('b'),
  postgres: IMAGE('c'),
  base: IMAGE('f'),
};
const parents: Record<string, string> = { [IMAGE('b')]: IMAGE('f'), [IMAGE('c')]: IMAGE('f') };

function list(filters: ContainerFilters, options: Partial<ListOptions> = {}): string[] {
  return filterContainers(RECORDS, {
    all: true,
    filters,
    resolveImage: (ref) => images[ref],
    parentOf: (id) => parents[id],
    ...options,
  }).map((r: ContainerRecord) => r.name);
}

test('the list is newest first; without all only running, paused and restarting ones', () => {
  assert.deepEqual(list({}), ['looping', 'held', 'fresh', 'db', 'web']);
  assert.deepEqual(list({}, { all: false }), ['looping', 'held', 'web']);
  assert.deepEqual(list({}, { all: false, limit: 2 }), ['looping', 'held']);
  assert.deepEqual(list({}, { all: false, limit: 4 }), ['looping', 'held', 'fresh', 'db']);
  assert.deepEqual(list({}, { all: false, limit: -1 }), ['looping', 'held', 'web']);
  assert.deepEqual(list({ status: ['exited'] }, { all: false }), ['db'], 'status implies all');
});

test('each filter keeps what Docker keeps', () => {
  const cases: Array<[ContainerFilters, string[]]> = [
    [{ id: ['aa01'] }, ['web']],
    [{ id: ['aa0'] }, []], // ambiguous prefix: Docker matches none
    [{ id: ['aa01', 'bb'] }, ['fresh', 'web']],
    [{ name: ['web'] }, ['web']],
    [{ name: ['^/d'] }, ['db']],
    [{ name: ['^l'] }, ['looping']],
    [{ name: ['e'] }, ['held', 'fresh', 'web']],
    [{ name: ['(?i)WEB'] }, ['web']],
    [{ name: ['[invalid'] }, []],
    [{ name: ['e'], id: ['bb03'] }, ['fresh']],
    [{ label: ['tier'] }, ['db', 'web']],
    [{ label: ['tier=front'] }, ['web']],
    [{ label: ['tier', 'team=a'] }, ['web']],
    [{ label: ['tier=side'] }, []],
    [{ status: ['running', 'paused'] }, ['held', 'web']],
    [{ status: ['restarting'] }, ['looping']],
    [{ exited: ['1'] }, ['db']],
    [{ exited: ['0'] }, []], // `fresh` never started
    [{ exited: ['2'] }, []], // restarting counts as running
    [{ health: ['none'] }, ['looping', 'fresh', 'web']],
    [{ health: ['healthy', 'unhealthy'] }, ['held', 'db']],
    [{ before: ['fresh'] }, ['db', 'web']],
    [{ since: ['fresh'] }, ['looping', 'held']],
    [{ since: [`/db`], before: [looping.id] }, ['held', 'fresh']],
    [{ ancestor: ['nginx'] }, ['held', 'web']],
    [{ ancestor: ['base'] }, ['held', 'db', 'web']],
    [{ ancestor: ['missing'] }, []],
    [{ ancestor: ['missing', 'postgres'] }, ['db']],
    [{ volume: ['/usr/share'] }, ['web']],
    [{ volume: ['/srv'] }, ['web']],
    [{ volume: ['pgdata'] }, ['db']],
    [{ volume: ['f00d'] }, ['db']],
    [{ volume: ['/var/lib/pg', '/nowhere'] }, ['db']],
    [{ network: ['bridge'] }, ['looping', 'fresh', 'web']],
    [{ network: ['backend', 'host'] }, ['held', 'db']],
    [{ publish: ['8080'] }, ['web']],
    [{ publish: ['8000-8100/tcp'] }, ['web']],
    [{ publish: ['8080/udp'] }, []],
    [{ expose: ['80'] }, ['web']],
    [{ expose: ['80/udp'] }, []],
    [{ 'is-task': ['true'] }, []],
    [{ 'is-task': ['false'] }, ['looping', 'held', 'fresh', 'db', 'web']],
    [{ isolation: ['hyperv'] }, ['looping', 'held', 'fresh', 'db', 'web']],
  ];
  for (const [filters, names] of cases)
    assert.deepEqual(list(filters), names, JSON.stringify(filters));
});

test('limit applies after the filters', () => {
  assert.deepEqual(list({ label: ['tier'] }, { all: false, limit: 1 }), ['db']);
});

function rejects(filters: ContainerFilters, kind: string, message: string): void {
  assert.throws(
    () => list(filters),
    (err) => isMoorError(err) && err.kind === kind && err.message === message,
    JSON.stringify(filters),
  );
}

test('bad filters get Docker’s errors', () => {
  rejects({ foo: ['x'] }, 'InvalidArgument', "invalid filter 'foo'");
  rejects(
    { status: ['foo'] },
    'InvalidArgument',
    "invalid filter 'status=foo': invalid value for state (foo): must be one of created, running, paused, restarting, removing, exited, dead",
  );
  rejects(
    { health: ['ok'] },
    'InvalidArgument',
    "invalid filter 'health=ok': invalid value for health (ok): must be one of none, starting, healthy, unhealthy",
  );
  rejects(
    { exited: ['x'] },
    'InvalidArgument',
    `invalid filter 'exited=x': strconv.Atoi: parsing "x": invalid syntax`,
  );
  rejects({ 'is-task': ['maybe'] }, 'InvalidArgument', "invalid filter 'is-task=[maybe]'");
  rejects({ before: ['nope'] }, 'NotFound', 'No such container: nope');
  rejects({ since: ['aa01'] }, 'NotFound', 'No such container: aa01');
  rejects({ publish: ['80:80'] }, 'Internal', "filter for 'publish' should not contain ':': 80:80");
  rejects(
    { expose: ['http'] },
    'Internal',
    'error while looking up for expose http: strconv.ParseUint: parsing "http": invalid syntax',
  );
  rejects(
    { expose: ['90-80'] },
    'Internal',
    'error while looking up for expose 90-80: invalid range specified for port: 90-80',
  );
});

test('prune takes stopped containers created until the given time, by labels', () => {
  const prune = (filters: ContainerFilters) =>
    RECORDS.filter(pruneFilter(filters, Date.parse('2026-01-01T01:00:00Z'))).map((r) => r.name);
  assert.deepEqual(prune({}), ['fresh', 'db']);
  assert.deepEqual(prune({ until: ['2026-01-01T00:02:30Z'] }), ['db']);
  assert.deepEqual(prune({ until: [at(2)] }), ['db'], 'until is inclusive');
  assert.deepEqual(prune({ until: ['50m'] }), ['fresh', 'db']);
  assert.deepEqual(prune({ until: ['59m'] }), []);
  assert.deepEqual(prune({ until: ['1767225720'] }), []); // 00:02:00 UTC, a nanosecond early
  assert.deepEqual(prune({ until: ['1767225720.5'] }), ['db']);
  assert.deepEqual(prune({ label: ['tier=back'] }), ['db']);
  assert.deepEqual(prune({ 'label!': ['tier'] }), ['fresh']);
  assert.throws(() => prune({ until: ['1h', '2h'] }), /more than one until filter specified/);
  assert.throws(() => prune({ status: ['exited'] }), /invalid filter 'status'/);
  assert.throws(
    () => prune({ until: ['soon'] }),
    /failed to parse value as time or duration: "soon"/,
  );
});
