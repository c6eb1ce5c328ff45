import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { createVolumeService } from './volume-service.js';
import { openVolumeStore, volumeTime } from './volume-store.js';

const roots: string[] = [];
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function service() {
  const root = await mkdtemp(join(tmpdir(), 'moor-volumes-unit-'));
  roots.push(root);
  const store = await openVolumeStore(root);
  return { root, volumes: createVolumeService({ store, now: () => new Date(0) }) };
}

test('create: named, idempotent, anonymous with Docker’s label; Docker’s errors', async () => {
  const { root, volumes } = await service();
  const made = await volumes.create({ name: 'data', labels: { a: 'b' } });
  assert.deepEqual(made, {
    name: 'data',
    driver: 'local',
    labels: { a: 'b' },
    options: null,
    createdAt: volumeTime(new Date(0)),
  });
  assert.deepEqual(await volumes.create({ name: 'data' }), made, 'the existing volume');
  const anon = await volumes.create({});
  assert.match(anon.name, /^[0-9a-f]{64}$/);
  assert.deepEqual(anon.labels, { 'com.docker.volume.anonymous': '' });
  assert.deepEqual((await readdir(join(root, 'data'))).sort(), ['_data', 'volume.json']);
  await assert.rejects(volumes.create({ name: 'x' }), /volume name is too short/);
  await assert.rejects(volumes.create({ name: 'x$y' }), /includes invalid characters/);
  await assert.rejects(volumes.create({ name: 'a/b' }), { kind: 'InvalidArgument' });
  await assert.rejects(volumes.create({ name: 'vv', driverOpts: { foo: '1' } }), {
    message: 'invalid option: "foo"',
  });
  await assert.rejects(volumes.create({ name: 'vv', driver: 'nfs3' }), { kind: 'NotFound' });
  assert.throws(() => volumes.get('nope'), { message: 'get nope: no such volume' });
});

test('references: in use refuses removal and pruning; forget removes anonymous ones', async () => {
  const { volumes } = await service();
  const [named, anon] = await volumes.claim('c1', [{ name: 'keep' }, {}]);
  assert.ok(named && anon);
  await assert.rejects(volumes.remove('keep'), {
    kind: 'Conflict',
    message: 'remove keep: volume is in use - [c1]',
  });
  assert.deepEqual(
    volumes.list({ dangling: ['false'] }).map((v) => v.name),
    ['keep', anon.name],
  );
  assert.deepEqual((await volumes.prune({ all: ['true'] })).deleted, []);
  await volumes.forget('c1', { removeAnonymous: true });
  assert.deepEqual(
    volumes.list({}).map((v) => v.name),
    ['keep'],
  );
  await volumes.remove('keep');
  await volumes.remove('keep', { force: true });
  await assert.rejects(volumes.remove('keep'), { kind: 'NotFound' });
});

test('prune: anonymous only unless all=true; label filters; reclaimed bytes', async () => {
  const { volumes } = await service();
  await volumes.create({ name: 'named', labels: { team: 'a' } });
  const anon = await volumes.create({});
  await writeFile(join(volumes.dataDir(anon.name), 'f'), 'x'.repeat(100));
  const first = await volumes.prune({});
  assert.deepEqual(first, { deleted: [anon.name], reclaimed: 100 });
  assert.deepEqual((await volumes.prune({ all: ['true'], 'label!': ['team=a'] })).deleted, []);
  assert.deepEqual((await volumes.prune({ all: ['1'], label: ['team'] })).deleted, ['named']);
  await assert.rejects(volumes.prune({ dangling: ['true'] }), /invalid filter 'dangling'/);
});

test('list filters: name part, label, driver, dangling', async () => {
  const { volumes } = await service();
  await volumes.create({ name: 'web-data', labels: { tier: 'web' } });
  await volumes.create({ name: 'db-data' });
  await volumes.claim('c1', [{ name: 'db-data' }]);
  const names = (filters: Record<string, string[]>) =>
    volumes
      .list(filters)
      .map((v) => v.name)
      .sort();
  assert.deepEqual(names({ name: ['data'] }), ['db-data', 'web-data']);
  assert.deepEqual(names({ name: ['web'] }), ['web-data']);
  assert.deepEqual(names({ label: ['tier=web'] }), ['web-data']);
  assert.deepEqual(names({ driver: ['local'] }), ['db-data', 'web-data']);
  assert.deepEqual(names({ dangling: ['true'] }), ['web-data']);
  assert.throws(() => names({ bogus: ['1'] }), /invalid filter 'bogus'/);
});

test('the store: a directory without a record is a volume; removals left half way finish', async () => {
  const root = await mkdtemp(join(tmpdir(), 'moor-volumes-store-'));
  roots.push(root);
  await mkdir(join(root, 'by-hand', '_data'), { recursive: true });
  await mkdir(join(root, '.removing-old-1234', '_data'), { recursive: true });
  await writeFile(join(root, 'by-hand', '.tmp-volume.json-1'), 'partial');
  const store = await openVolumeStore(root);
  await store.settled();
  assert.deepEqual(
    store.all().map((v) => [v.name, v.driver, v.labels]),
    [['by-hand', 'local', null]],
  );
  assert.deepEqual((await readdir(root)).sort(), ['by-hand']);
  assert.deepEqual(await readdir(join(root, 'by-hand')), ['_data']);
  await store.remove('by-hand');
  await store.settled();
  assert.deepEqual(await readdir(root), []);
  // A restarted store sees the same.
  assert.deepEqual((await openVolumeStore(root)).all(), []);
});

test('volumeTime: RFC 3339 in seconds with the host’s offset', () => {
  assert.match(volumeTime(new Date()), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
});
