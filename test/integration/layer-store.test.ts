import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { isMoorError } from '../../src/core/index.js';
import {
  type Layer,
  type LayerStore,
  openLayerStore,
  type StorageDriver,
} from '../../src/layers/index.js';
import type { Digest } from '../../src/oci/index.js';
import { mountOverlay, readXattrs, unmount } from '../../src/sys/index.js';
import {
  chunked,
  dir,
  file,
  layerTestSkipReason,
  overlaySkipReason,
  sha256,
  tarOf,
  type TarSpec,
} from '../helpers/layer-tars.js';

/** Base: /etc with two files, /opq with old content, /dir. */
const BASE: TarSpec[] = [
  dir('etc'),
  file('etc/keep', 'keep'),
  file('etc/gone', 'gone'),
  dir('opq'),
  file('opq/old1', 'old1'),
  dir('opq/sub'),
  file('opq/sub/old2', 'old2'),
  dir('dir'),
  file('dir/a', 'a'),
];
/** Deletes /etc/gone, makes /opq opaque with new content, adds /dir/b. */
const MIDDLE: TarSpec[] = [
  [{ name: 'etc/.wh.gone', type: 'file' }],
  dir('opq'),
  [{ name: 'opq/.wh..wh..opq', type: 'file' }],
  file('opq/new', 'new'),
  file('dir/b', 'b'),
];
/** Adds /etc/added, deletes the whole of /dir. */
const TOP: TarSpec[] = [file('etc/added', 'added'), [{ name: '.wh.dir', type: 'file' }]];

/** The tree under `root` as sorted relative paths (directories end with '/'). */
async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    const path = relative(root, join(entry.parentPath, entry.name));
    out.push(entry.isDirectory() ? `${path}/` : path);
  }
  return out.sort();
}

const MERGED = ['etc/', 'etc/added', 'etc/keep', 'opq/', 'opq/new'];

async function registerStack(store: LayerStore, stack: TarSpec[][]): Promise<Layer[]> {
  const layers: Layer[] = [];
  for (const entries of stack) {
    layers.push(await store.register(chunked(await tarOf(entries)), layers.at(-1)?.chainId));
  }
  return layers;
}

const skip = layerTestSkipReason();

describe('layer store', { skip }, () => {
  let testDir: string;
  const mounts: string[] = [];
  before(async () => {
    testDir = await mkdtemp(join(tmpdir(), 'layer-store-test-'));
  });
  after(async () => {
    for (const target of mounts.reverse()) await unmount(target, { detach: true });
    if (testDir) await rm(testDir, { recursive: true, force: true });
  });

  async function freshStore(name: string, driver: StorageDriver): Promise<LayerStore> {
    return openLayerStore({ root: join(testDir, name, 'layers'), driver });
  }
  async function tmpEntries(name: string): Promise<string[]> {
    return readdir(join(testDir, name, 'layers', 'tmp'));
  }

  for (const driver of ['overlay2', 'vfs'] as const) {
    test(`${driver}: chain ids, get, list, lowerDirs`, async () => {
      const store = await freshStore(`basics-${driver}`, driver);
      const [base, middle, top] = await registerStack(store, [BASE, MIDDLE, TOP]);
      assert.ok(base && middle && top);
      assert.equal(base.chainId, base.diffId);
      assert.equal(base.parent, undefined);
      assert.equal(middle.chainId, sha256(Buffer.from(`${base.chainId} ${middle.diffId}`)));
      assert.equal(top.parent, middle.chainId);
      assert.equal(base.size, 4 + 4 + 4 + 4 + 1);
      assert.deepEqual(await store.get(top.chainId), top);
      assert.equal(await store.get(`sha256:${'0'.repeat(64)}`), undefined);
      assert.deepEqual(
        (await store.list()).map((l) => l.chainId).sort(),
        [base, middle, top].map((l) => l.chainId).sort(),
      );
      const root = join(testDir, `basics-${driver}`, 'layers', driver);
      const dirs = await store.lowerDirs(top.chainId);
      const expected = driver === 'vfs' ? [top] : [top, middle, base];
      assert.deepEqual(
        dirs,
        expected.map((l) => join(root, l.chainId.slice(7), 'diff')),
      );
      assert.deepEqual(await tmpEntries(`basics-${driver}`), []);
    });

    test(`${driver}: registering the same layer twice returns the same layer`, async () => {
      const store = await freshStore(`twice-${driver}`, driver);
      const tar = await tarOf(BASE);
      const first = await store.register(chunked(tar), undefined);
      const second = await store.register(chunked(tar), undefined);
      assert.deepEqual(second, first);
      let drained = false;
      const source = (async function* () {
        yield* chunked(tar);
        drained = true;
      })();
      const third = await store.register(source, undefined, { expectedDiffId: first.diffId });
      assert.deepEqual(third, first);
      assert.ok(drained, 'the input of an existing layer is read to its end');
      assert.equal((await store.list()).length, 1);
      assert.deepEqual(await tmpEntries(`twice-${driver}`), []);
    });

    test(`${driver}: a digest mismatch stores nothing`, async () => {
      const store = await freshStore(`mismatch-${driver}`, driver);
      const tar = await tarOf(BASE);
      const wrong: Digest = `sha256:${'ab'.repeat(32)}`;
      await assert.rejects(
        store.register(chunked(tar), undefined, { expectedDiffId: wrong }),
        (err: unknown) =>
          isMoorError(err, 'InvalidArgument') &&
          err.message === `layer digest mismatch: expected ${wrong}, got ${sha256(tar)}`,
      );
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await tmpEntries(`mismatch-${driver}`), []);
      assert.deepEqual(await readdir(join(testDir, `mismatch-${driver}`, 'layers', driver)), []);
      // Also when the claimed layer exists and the input is only drained.
      const real = await store.register(chunked(tar), undefined);
      const other = await tarOf([file('other', 'x')]);
      await assert.rejects(
        store.register(chunked(other), undefined, { expectedDiffId: real.diffId }),
        (err: unknown) => isMoorError(err, 'InvalidArgument') && /mismatch/.test(err.message),
      );
      assert.equal((await store.list()).length, 1);
    });

    test(`${driver}: an archive escaping the layer root stores nothing`, async () => {
      const name = `escape-${driver}`;
      const store = await freshStore(name, driver);
      const outside = join(testDir, name, 'outside');
      await mkdir(outside);
      const attempts: TarSpec[][] = [
        [file('ok', 'fine'), file('../../outside/evil', 'x')],
        [[{ name: 'link', type: 'symlink', linkname: outside }], file('link/evil', 'x')],
        [
          [{ name: 'link', type: 'symlink', linkname: outside }],
          [{ name: 'link/.wh.x', type: 'file' }],
        ],
        [[{ name: 'hard', type: 'hardlink', linkname: '../../outside/evil' }]],
        [[{ name: 'hard', type: 'hardlink', linkname: 'later' }], file('later', 'x')],
        [dir('d'), [{ name: 'hard', type: 'hardlink', linkname: 'd' }]],
      ];
      for (const entries of attempts) {
        await assert.rejects(
          store.register(chunked(await tarOf(entries)), undefined),
          (err: unknown) => isMoorError(err, 'InvalidArgument'),
        );
      }
      await assert.rejects(
        store.register(chunked(await tarOf(attempts[0]!)), undefined),
        (err: unknown) =>
          isMoorError(err) &&
          err.message === 'invalid tar: path "../../outside/evil" escapes the layer root',
      );
      assert.deepEqual(await readdir(outside), []);
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await tmpEntries(name), []);
    });

    test(`${driver}: remove refuses while a child exists`, async () => {
      const store = await freshStore(`remove-${driver}`, driver);
      const [base, middle] = await registerStack(store, [BASE, MIDDLE]);
      assert.ok(base && middle);
      await assert.rejects(store.remove(base.chainId), (err: unknown) =>
        isMoorError(err, 'Conflict'),
      );
      await store.remove(middle.chainId);
      await store.remove(base.chainId);
      assert.deepEqual(await store.list(), []);
      await assert.rejects(store.remove(base.chainId), (err: unknown) =>
        isMoorError(err, 'NotFound'),
      );
      await assert.rejects(store.lowerDirs(base.chainId), (err: unknown) =>
        isMoorError(err, 'NotFound'),
      );
      await assert.rejects(
        store.register(chunked(await tarOf(TOP)), base.chainId),
        (err: unknown) => isMoorError(err, 'NotFound'),
      );
      assert.deepEqual(await readdir(join(testDir, `remove-${driver}`, 'layers', driver)), []);
    });
  }

  test('cleanup removes interrupted registers and layer dirs without metadata', async () => {
    const store = await freshStore('cleanup', 'overlay2');
    const layer = await store.register(chunked(await tarOf(BASE)), undefined);
    const root = join(testDir, 'cleanup', 'layers');
    await mkdir(join(root, 'tmp', 'register-crashed', 'diff'), { recursive: true });
    await mkdir(join(root, 'overlay2', 'f'.repeat(64), 'diff'), { recursive: true });
    await store.cleanup();
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    assert.deepEqual(await readdir(join(root, 'overlay2')), [layer.chainId.slice(7)]);
  });

  test('vfs: each layer is the full tree with whiteouts and opaque dirs applied', async () => {
    const store = await freshStore('vfs-tree', 'vfs');
    const layers = await registerStack(store, [BASE, MIDDLE, TOP]);
    const [diff] = await store.lowerDirs(layers[2]!.chainId);
    assert.deepEqual(await listTree(diff!), MERGED);
    const [middleDiff] = await store.lowerDirs(layers[1]!.chainId);
    assert.deepEqual(await listTree(middleDiff!), [
      'dir/',
      'dir/a',
      'dir/b',
      'etc/',
      'etc/keep',
      'opq/',
      'opq/new',
    ]);
    // Entries of the same layer survive its opaque marker and whiteouts, whatever the order.
    const late = await store.register(
      chunked(
        await tarOf([
          file('etc/mine', 'mine'),
          [{ name: 'etc/.wh..wh..opq', type: 'file' }],
          file('dir2/x', 'x'),
          [{ name: '.wh.dir2', type: 'file' }],
        ]),
      ),
      layers[2]!.chainId,
    );
    const [lateDiff] = await store.lowerDirs(late.chainId);
    assert.deepEqual(await listTree(lateDiff!), [
      'dir2/',
      'dir2/x',
      'etc/',
      'etc/mine',
      'opq/',
      'opq/new',
    ]);
  });

  test('overlay2: whiteouts are 0/0 devices, opaque dirs carry the xattr', async () => {
    const store = await freshStore('overlay-files', 'overlay2');
    const [, middle] = await registerStack(store, [BASE, MIDDLE]);
    const [diff] = await store.lowerDirs(middle!.chainId);
    assert.deepEqual(await listTree(diff!), [
      'dir/',
      'dir/b',
      'etc/',
      'etc/gone',
      'opq/',
      'opq/new',
    ]);
    const whiteout = statSync(join(diff!, 'etc/gone'));
    assert.ok(whiteout.isCharacterDevice());
    assert.equal(whiteout.rdev, 0);
    const xattrs = await readXattrs(join(diff!, 'opq'));
    assert.equal(xattrs.get('trusted.overlay.opaque')?.toString(), 'y');
    assert.equal((await readXattrs(join(diff!, 'etc'))).has('trusted.overlay.opaque'), false);
  });

  describe('overlay2 mounted', { skip: overlaySkipReason() }, () => {
    async function mountLayers(name: string, lowerDirs: string[]): Promise<string> {
      const base = join(testDir, name);
      for (const sub of ['upper', 'work', 'merged'])
        await mkdir(join(base, sub), { recursive: true });
      await mountOverlay({
        lowerDirs,
        upperDir: join(base, 'upper'),
        workDir: join(base, 'work'),
        target: join(base, 'merged'),
      });
      mounts.push(join(base, 'merged'));
      return join(base, 'merged');
    }

    test('a 3-layer stack shows deletions and opaque dirs', async () => {
      const store = await freshStore('mount-3', 'overlay2');
      const layers = await registerStack(store, [BASE, MIDDLE, TOP]);
      const merged = await mountLayers('mount-3-rootfs', await store.lowerDirs(layers[2]!.chainId));
      assert.deepEqual(await listTree(merged), MERGED);
      assert.equal(existsSync(join(merged, 'etc/gone')), false);
      assert.equal(await readFile(join(merged, 'opq/new'), 'utf8'), 'new');
      await writeFile(join(merged, 'etc/keep'), 'changed');
      assert.equal(await readFile(join(merged, 'etc/keep'), 'utf8'), 'changed');
      await unmount(merged);
      mounts.pop();
      assert.equal(existsSync(join(merged, 'etc')), false);
    });

    test('130 layers fit in one mount (short lowerdir names)', async () => {
      const store = await freshStore('mount-130', 'overlay2');
      const stack = Array.from({ length: 130 }, (_, i) => [file(`f${i}`, String(i))]);
      const layers = await registerStack(store, stack);
      const lowerDirs = await store.lowerDirs(layers.at(-1)!.chainId);
      assert.equal(lowerDirs.length, 130);
      assert.ok(lowerDirs.join(':').length > 4096, 'the absolute paths would overflow a page');
      const merged = await mountLayers('mount-130-rootfs', lowerDirs);
      const names = await readdir(merged);
      assert.equal(names.length, 130);
      assert.equal(await readFile(join(merged, 'f0'), 'utf8'), '0');
      assert.equal(await readFile(join(merged, 'f129'), 'utf8'), '129');
      assert.deepEqual(
        (await readdir(join(testDir, 'mount-130-rootfs'))).sort(),
        ['merged', 'upper', 'work'],
        'the short-name link dir is gone after the mount',
      );
    });
  });
});
