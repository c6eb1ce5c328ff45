import assert from 'node:assert/strict';
import { lstatSync, readlinkSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';

import { isMoorError } from '../../src/core/index.js';
import { type LayerStore, openLayerStore, type StorageDriver } from '../../src/layers/index.js';
import { readXattrs, runHostCommand } from '../../src/sys/index.js';
import {
  chunked,
  collect,
  dir,
  file,
  fileChunks,
  gnuTar,
  layerTestSkipReason,
  sha256,
  tarOf,
  type TarSpec,
} from '../helpers/layer-tars.js';

const DRIVERS: StorageDriver[] = ['overlay2', 'vfs'];
const LONG_DIR = `long/${'d'.repeat(150)}`;
const LONG_FILE = `${LONG_DIR}/${'f'.repeat(120)}`;
/** A v2 file capability: cap_net_raw, effective. */
const CAPABILITY = '0x0100000200200000000000000000000000000000';
const MTIME = '2021-03-04T05:06:07Z';

async function sh(command: string, args: string[]): Promise<void> {
  await runHostCommand(command, args);
}

/** A source tree with every kind of entry GNU tar writes. */
async function makeSourceTree(root: string): Promise<void> {
  await mkdir(join(root, LONG_DIR), { recursive: true });
  await mkdir(join(root, 'op'));
  await mkdir(join(root, 'tmp'), { mode: 0o777 });
  await mkdir(join(root, 'private'));
  await writeFile(join(root, 'a'), 'hello\n');
  await writeFile(join(root, 'empty'), '');
  await writeFile(join(root, 'block512'), Buffer.alloc(512, 1));
  await writeFile(join(root, 'block513'), Buffer.alloc(513, 2));
  await writeFile(join(root, LONG_FILE), 'long');
  await writeFile(join(root, 'caps'), 'binary');
  await writeFile(join(root, '.wh.gone'), '');
  await writeFile(join(root, 'op/.wh..wh..opq'), '');
  await writeFile(join(root, 'op/new'), 'new');
  await link(join(root, 'a'), join(root, 'hl'));
  await symlink('a', join(root, 'sl'));
  await symlink('/etc/passwd', join(root, 'abs'));
  await symlink(`${'t'.repeat(120)}/target`, join(root, 'longlink'));
  await sh('mknod', [join(root, 'fifo'), 'p']);
  await sh('mknod', [join(root, 'null'), 'c', '1', '3']);
  await sh('chown', ['1000:1001', join(root, 'a')]);
  await sh('chmod', ['4755', join(root, 'a')]);
  await sh('chmod', ['1777', join(root, 'tmp')]);
  await sh('chmod', ['0700', join(root, 'private')]);
  await sh('setfattr', ['-n', 'user.foo', '-v', 'bar', join(root, 'a')]);
  await sh('setfattr', ['-n', 'security.capability', '-v', CAPABILITY, join(root, 'caps')]);
  await sh('setfattr', ['-n', 'trusted.evil', '-v', 'x', join(root, 'op/new')]);
  await sh('touch', [
    '-h',
    '-d',
    MTIME,
    ...['a', 'sl', 'op', 'tmp', '.'].map((p) => join(root, p)),
  ]);
}

const skip = layerTestSkipReason();

describe('layer unpacking and tar-split', { skip }, () => {
  let testDir: string;
  const stores = new Map<StorageDriver, LayerStore>();
  before(async () => {
    testDir = await mkdtemp(join(tmpdir(), 'layer-unpack-test-'));
    for (const driver of DRIVERS) {
      stores.set(driver, await openLayerStore({ root: join(testDir, 'layers'), driver }));
    }
  });
  after(async () => {
    if (testDir) await rm(testDir, { recursive: true, force: true });
  });

  /** Registers `tar` (as given) and checks the export is the decompressed tar, byte for byte. */
  async function registerAndCompare(driver: StorageDriver, tar: Buffer, plain = tar) {
    const store = stores.get(driver)!;
    const layer = await store.register(chunked(tar, 777), undefined);
    assert.equal(layer.diffId, sha256(plain));
    assert.equal(layer.tarSize, plain.length);
    const exported = await collect(store.exportTar(layer.chainId));
    assert.equal(sha256(exported), layer.diffId);
    assert.ok(exported.equals(plain));
    const [diff] = await store.lowerDirs(layer.chainId);
    return { layer, diff: diff! };
  }

  describe('archives made by GNU tar', () => {
    const tars = new Map<string, string>();
    before(async () => {
      const src = join(testDir, 'src');
      await mkdir(src);
      await makeSourceTree(src);
      for (const [name, args] of [
        ['gnu', ['--format=gnu']],
        ['pax', ['--format=pax', '--xattrs', '--xattrs-include=*']],
        ['pax-gzip', ['--format=pax', '--xattrs', '--xattrs-include=*', '--gzip']],
      ] as const) {
        const path = join(testDir, `${name}.tar`);
        await gnuTar(['-C', src, ...args, '-cf', path, '.']);
        tars.set(name, path);
      }
    });

    for (const driver of DRIVERS) {
      for (const format of ['gnu', 'pax']) {
        test(`${driver}, ${format} format: sha256(exportTar) is the diff id`, async () => {
          await registerAndCompare(driver, await readFile(tars.get(format)!));
        });
      }

      test(`${driver}: gzip input gets the diff id of the uncompressed tar`, async () => {
        const gz = await readFile(tars.get('pax-gzip')!);
        const plain = gunzipSync(gz);
        const store = stores.get(driver)!;
        let progress = 0;
        const layer = await store.register(fileChunks(tars.get('pax-gzip')!), undefined, {
          onProgress: (n) => (progress = n),
        });
        assert.equal(progress, gz.length);
        const exported = await collect(store.exportTar(layer.chainId));
        assert.equal(layer.diffId, sha256(plain));
        assert.ok(exported.equals(plain));
      });

      test(`${driver}: ownership, modes, times, links, devices and xattrs are unpacked`, async () => {
        const { diff } = await registerAndCompare(driver, await readFile(tars.get('pax')!));
        const a = lstatSync(join(diff, 'a'));
        assert.equal(a.uid, 1000);
        assert.equal(a.gid, 1001);
        assert.equal(a.mode & 0o7777, 0o4755);
        assert.equal(a.mtime.toISOString(), new Date(MTIME).toISOString());
        assert.equal(lstatSync(join(diff, 'hl')).ino, a.ino);
        assert.equal(readlinkSync(join(diff, 'sl')), 'a');
        assert.equal(
          lstatSync(join(diff, 'sl')).mtime.toISOString(),
          new Date(MTIME).toISOString(),
        );
        assert.equal(readlinkSync(join(diff, 'abs')), '/etc/passwd');
        assert.equal(readlinkSync(join(diff, 'longlink')), `${'t'.repeat(120)}/target`);
        assert.equal(await readFile(join(diff, LONG_FILE), 'utf8'), 'long');
        assert.ok(lstatSync(join(diff, 'fifo')).isFIFO());
        const devNull = lstatSync(join(diff, 'null'));
        assert.ok(devNull.isCharacterDevice());
        assert.equal(devNull.rdev, (1 << 8) | 3);
        assert.equal(lstatSync(join(diff, 'tmp')).mode & 0o7777, 0o1777);
        assert.equal(lstatSync(join(diff, 'private')).mode & 0o7777, 0o700);
        for (const path of ['op', 'tmp', '']) {
          const mtime = lstatSync(join(diff, path)).mtime.toISOString();
          assert.equal(mtime, new Date(MTIME).toISOString(), `mtime of "${path}"`);
        }
        assert.equal((await readXattrs(join(diff, 'a'))).get('user.foo')?.toString(), 'bar');
        const caps = (await readXattrs(join(diff, 'caps'))).get('security.capability');
        assert.equal(`0x${caps?.toString('hex')}`, CAPABILITY);
        assert.equal((await readXattrs(join(diff, 'op/new'))).has('trusted.evil'), false);
        const whiteout = lstatSync(join(diff, 'gone'), { throwIfNoEntry: false });
        if (driver === 'overlay2') {
          assert.ok(whiteout?.isCharacterDevice() && whiteout.rdev === 0);
          const opaque = (await readXattrs(join(diff, 'op'))).get('trusted.overlay.opaque');
          assert.equal(opaque?.toString(), 'y');
        } else {
          assert.equal(whiteout, undefined);
        }
        assert.deepEqual(await readdir(join(diff, 'op')), ['new']);
      });
    }
  });

  describe('archives made by createTarWriter', () => {
    /** Entries that replace, white out or hard-link each other inside one archive. */
    const REPLACING: TarSpec[] = [
      file('dup', 'first version'),
      file('dup', 'second'),
      file('x/f', 'under x'),
      file('x', 'x became a file'),
      file('own', 'mine'),
      [{ name: '.wh.own', type: 'file' }],
      file('p/q', 'under p'),
      [{ name: 'p', type: 'symlink', linkname: '/etc' }],
      file('t', 'T1'),
      [{ name: 'h', type: 'hardlink', linkname: 't' }],
      file('t', 'T2'),
      dir('keep', { mode: 0o700 }),
      file('keep/inner', 'inner'),
      dir('keep', { mode: 0o750 }),
      file(`${'n'.repeat(200)}/${'m'.repeat(200)}`, 'pax path'),
      [{ name: './', type: 'directory', mode: 0o751 }],
    ];

    for (const driver of DRIVERS) {
      test(`${driver}: later entries replace earlier ones; export is still identical`, async () => {
        const { diff } = await registerAndCompare(driver, await tarOf(REPLACING));
        assert.equal(await readFile(join(diff, 'dup'), 'utf8'), 'second');
        assert.equal(await readFile(join(diff, 'x'), 'utf8'), 'x became a file');
        assert.equal(await readFile(join(diff, 'own'), 'utf8'), 'mine');
        assert.equal(readlinkSync(join(diff, 'p')), '/etc');
        assert.equal(await readFile(join(diff, 't'), 'utf8'), 'T2');
        assert.equal(await readFile(join(diff, 'h'), 'utf8'), 'T1');
        assert.equal(lstatSync(join(diff, 'keep')).mode & 0o7777, 0o750);
        assert.equal(await readFile(join(diff, 'keep/inner'), 'utf8'), 'inner');
        assert.equal(lstatSync(diff).mode & 0o7777, 0o751);
      });

      test(`${driver}: gzip, trailing data and a missing end block are kept`, async () => {
        const tar = await tarOf([file('a', 'a'), file('b', 'b'.repeat(1000))]);
        await registerAndCompare(driver, gzipSync(tar), tar);
        const trailing = Buffer.concat([tar, Buffer.alloc(3000), Buffer.from('junk')]);
        await registerAndCompare(driver, trailing);
        await registerAndCompare(driver, tar.subarray(0, tar.length - 1024));
      });
    }

    test('an aborted register stores nothing', async () => {
      const store = stores.get('overlay2')!;
      const before = (await store.list()).length;
      const tar = await tarOf([file('a', 'x'.repeat(100_000)), file('b', 'y')]);
      const controller = new AbortController();
      const source = (async function* () {
        let n = 0;
        for await (const chunk of chunked(tar, 4096)) {
          if (++n === 3) controller.abort();
          yield chunk;
        }
      })();
      await assert.rejects(store.register(source, undefined, { signal: controller.signal }), {
        name: 'AbortError',
      });
      assert.equal((await store.list()).length, before);
      assert.deepEqual(await readdir(join(testDir, 'layers', 'tmp')), []);
    });

    test('an unsupported compression is invalid', async () => {
      const store = stores.get('vfs')!;
      const xz = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]);
      await assert.rejects(store.register(chunked(xz), undefined), (err: unknown) =>
        isMoorError(err, 'InvalidArgument'),
      );
    });
  });
});
