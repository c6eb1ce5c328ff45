import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { link, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import type { FilesystemChange } from '../api-types/index.js';
import { readTar, type TarHeader } from '../archive/index.js';
import { isMoorError } from '../core/index.js';
import { makeSpecialFile } from '../sys/index.js';
import {
  EMPTY_LAYER_DIFF_ID,
  type LayerEntry,
  layerCapability,
  layerTar,
  planLayerEntries,
  whiteoutName,
} from './layer-tar.js';

const T = 1_700_000_000; // 2023-11-14T22:13:20Z
const NOW = new Date((T + 100) * 1000 + 600);
let base: string;
let root: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'layer-tar-test-'));
  root = join(base, 'upper');
  await mkdir(join(root, 'data', 'sub'), { recursive: true });
  await writeFile(join(root, 'data', 'new.txt'), 'new');
  await utimes(join(root, 'data', 'new.txt'), T + 0.9, T + 0.9);
  await utimes(join(root, 'data'), T, T);
  await writeFile(join(root, 'h1'), 'linked');
  await link(join(root, 'h1'), join(root, 'h2'));
  await symlink('/data/new.txt', join(root, 'sl'));
  await makeSpecialFile(join(root, 'ff'), { type: 'fifo' });
  await listenOn(join(root, 'sock'));
  // A directory of the layer swapped for a link to a host directory.
  await mkdir(join(base, 'host'));
  await writeFile(join(base, 'host', 'secret'), 'host file');
  await symlink(join(base, 'host'), join(root, 'escape'));
});

after(() => rm(base, { recursive: true, force: true }));

function listenOn(path: string): Promise<void> {
  const server = createServer();
  return new Promise((resolve) => server.listen(path, () => server.close(() => resolve())));
}

const change = (Path: string, Kind: FilesystemChange['Kind']): FilesystemChange => ({ Path, Kind });

async function entriesOf(
  entries: LayerEntry[],
  capabilities?: Map<string, Buffer>,
): Promise<Array<{ header: TarHeader; body: string }>> {
  const out: Array<{ header: TarHeader; body: string }> = [];
  const tar = layerTar({ root, entries, now: NOW, ...(capabilities ? { capabilities } : {}) });
  for await (const entry of readTar(tar)) {
    out.push({ header: entry.header, body: (await entry.buffer()).toString() });
  }
  return out;
}

test('deletions become whiteouts in their directory', () => {
  assert.equal(whiteoutName('/bin/ls'), 'bin/.wh.ls');
  assert.equal(whiteoutName('/top'), '.wh.top');
});

test('the plan keeps the change order, marks opaque dirs right after them, drops what they hide', () => {
  const plan = planLayerEntries(
    [
      change('/bin', 0),
      change('/bin/ls', 2),
      change('/data', 0),
      change('/data/a', 2),
      change('/data/n', 1),
      change('/data/sub', 0),
      change('/data/sub/old', 2),
      change('/database', 2),
    ],
    ['/data'],
  );
  assert.deepEqual(plan, [
    { kind: 'path', path: '/bin' },
    { kind: 'whiteout', path: '/bin/ls' },
    { kind: 'path', path: '/data' },
    { kind: 'opaque', dir: '/data' },
    { kind: 'path', path: '/data/n' },
    { kind: 'path', path: '/data/sub' },
    { kind: 'whiteout', path: '/database' },
  ]);
  assert.deepEqual(planLayerEntries([]), []);
});

test('a version 3 file capability is written as version 2', () => {
  const v3 = Buffer.alloc(24);
  v3[3] = 3;
  v3[4] = 0x20;
  v3.writeUInt32LE(1000, 20);
  const v2 = layerCapability(v3);
  assert.equal(v2.length, 20);
  assert.equal(v2[3], 2);
  assert.equal(v2[4], 0x20);
  const same = Buffer.from([1, 0, 0, 2, ...new Array<number>(16).fill(0)]);
  assert.equal(layerCapability(same), same);
});

test('the empty layer diff id is the digest of a tar without entries', async () => {
  const chunks: Buffer[] = [];
  for await (const chunk of layerTar({ root, entries: [], now: NOW })) chunks.push(chunk);
  const digest = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
  assert.equal(`sha256:${digest}`, EMPTY_LAYER_DIFF_ID);
});

test('paths are written with their attributes, links as links, sockets left out', async () => {
  const caps = new Map([['/h1', Buffer.from([0, 0, 0, 3, ...new Array<number>(20).fill(1)])]]);
  const out = await entriesOf(
    [
      { kind: 'path', path: '/data' },
      { kind: 'opaque', dir: '/data' },
      { kind: 'path', path: '/data/new.txt' },
      { kind: 'path', path: '/data/sub' },
      { kind: 'whiteout', path: '/data/sub/gone' },
      { kind: 'path', path: '/ff' },
      { kind: 'path', path: '/h1' },
      { kind: 'path', path: '/h2' },
      { kind: 'path', path: '/missing' },
      { kind: 'path', path: '/sl' },
      { kind: 'path', path: '/sock' },
    ],
    caps,
  );
  const brief = out.map(({ header: h, body }) => [h.name, h.type, h.linkname, body]);
  assert.deepEqual(brief, [
    ['data/', 'directory', '', ''],
    ['data/.wh..wh..opq', 'file', '', ''],
    ['data/new.txt', 'file', '', 'new'],
    ['data/sub/', 'directory', '', ''],
    ['data/sub/.wh.gone', 'file', '', ''],
    ['ff', 'fifo', '', ''],
    ['h1', 'file', '', 'linked'],
    ['h2', 'hardlink', 'h1', ''],
    ['sl', 'symlink', '/data/new.txt', ''],
  ]);
  const byName = new Map(out.map((e) => [e.header.name, e.header]));
  assert.equal(byName.get('data/new.txt')?.mtime.getTime(), T * 1000, 'whole seconds');
  assert.equal(byName.get('data/.wh..wh..opq')?.mode, 0o755, "the directory's permissions");
  assert.equal(byName.get('data/.wh..wh..opq')?.mtime.getTime(), T * 1000);
  const whiteout = byName.get('data/sub/.wh.gone');
  assert.equal(whiteout?.mode, 0);
  assert.equal(whiteout?.mtime.getTime(), (T + 100) * 1000);
  const capability = byName.get('h1')?.xattrs['security.capability'];
  assert.equal(capability?.length, 20);
  assert.equal(capability?.[3], 2);
});

test('a file reached through a link out of the layer is refused, not read', async () => {
  await assert.rejects(
    entriesOf([{ kind: 'path', path: '/escape/secret' }]),
    (err: unknown) => isMoorError(err, 'Conflict') && /escape\/secret/.test(String(err)),
  );
});
