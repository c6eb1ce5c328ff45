import assert from 'node:assert/strict';
import { lstatSync, readlinkSync } from 'node:fs';
import {
  chmod,
  chown,
  link,
  lutimes,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { createTarWriter, type TarHeaderInput } from '../archive/index.js';
import { isMoorError } from '../core/index.js';
import { makeSpecialFile } from '../sys/index.js';
import { archivePath } from './rootfs-archive.js';
import { extractArchive, type ExtractOptions } from './rootfs-extract.js';

let base: string;
const T = 1_700_000_000;
const plain: ExtractOptions = { noOverwriteDirNonDir: false, copyUIDGID: false };

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'rootfs-extract-test-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A fresh rootfs for one test, with /tmp and an outside sibling an escape would reach. */
async function makeRoot(name: string): Promise<string> {
  const dir = join(base, name);
  await mkdir(join(dir, 'outside'), { recursive: true });
  await mkdir(join(dir, 'rootfs', 'tmp'), { recursive: true });
  return join(dir, 'rootfs');
}

async function makeTar(entries: Array<[TarHeaderInput, string?]>): Promise<Buffer> {
  const writer = createTarWriter();
  const chunks: Buffer[] = [];
  writer.readable.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => writer.readable.on('end', resolve));
  for (const [header, body] of entries) {
    await writer.add(header, body === undefined ? undefined : Buffer.from(body));
  }
  await writer.finish();
  await ended;
  return Buffer.concat(chunks);
}

function once(data: Buffer): AsyncIterable<Buffer> {
  return Readable.from([data]);
}

test('archive → extract keeps modes, owners, mtimes, links and special files', async () => {
  const source = await makeRoot('round-trip-source');
  const dir = join(source, 'data');
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'a'), 'AAAA');
  await chown(join(dir, 'a'), 1234, 5678);
  await chmod(join(dir, 'a'), 0o4750);
  await utimes(join(dir, 'a'), T, T);
  await link(join(dir, 'a'), join(dir, 'sub', 'hard'));
  await symlink('../a', join(dir, 'sub', 'link'));
  await lutimes(join(dir, 'sub', 'link'), T + 1, T + 1);
  await makeSpecialFile(join(dir, 'fifo'), { type: 'fifo' });
  await makeSpecialFile(join(dir, 'null'), { type: 'char', major: 1, minor: 3 });
  await chmod(join(dir, 'sub'), 0o2711);
  await utimes(join(dir, 'sub'), T + 2, T + 2);
  await utimes(dir, T + 3, T + 3);

  const target = await makeRoot('round-trip-target');
  const { tar } = await archivePath(source, '/data');
  await extractArchive(target, '/tmp', tar, plain);

  const out = join(target, 'tmp', 'data');
  const a = lstatSync(join(out, 'a'));
  assert.deepEqual([a.uid, a.gid, a.mode & 0o7777, a.mtimeMs], [1234, 5678, 0o4750, T * 1000]);
  assert.equal(await readFile(join(out, 'a'), 'utf8'), 'AAAA');
  assert.equal(lstatSync(join(out, 'sub', 'hard')).ino, a.ino, 'hard links stay linked');
  assert.equal(readlinkSync(join(out, 'sub', 'link')), '../a');
  assert.equal(lstatSync(join(out, 'sub', 'link')).mtimeMs, (T + 1) * 1000);
  assert.ok(lstatSync(join(out, 'fifo')).isFIFO());
  const dev = lstatSync(join(out, 'null'));
  assert.ok(dev.isCharacterDevice());
  assert.equal(dev.rdev, 0x0103);
  const sub = lstatSync(join(out, 'sub'));
  assert.deepEqual([sub.mode & 0o7777, sub.mtimeMs], [0o2711, (T + 2) * 1000]);
  assert.equal(lstatSync(out).mtimeMs, (T + 3) * 1000, 'directory times are set last');
});

test('gzip archives are accepted', async () => {
  const root = await makeRoot('gzip');
  const tar = await makeTar([[{ name: 'f', type: 'file', mode: 0o600 }, 'zipped']]);
  await extractArchive(root, 'tmp', once(gzipSync(tar)), plain);
  assert.equal(await readFile(join(root, 'tmp', 'f'), 'utf8'), 'zipped');
});

test('the destination must exist and be a directory; links to one are followed', async () => {
  const root = await makeRoot('destination');
  await writeFile(join(root, 'file'), '');
  await symlink('/tmp', join(root, 'tmp-link'));
  const tar = await makeTar([[{ name: 'x', type: 'file' }, 'x']]);
  await assert.rejects(
    extractArchive(root, '/nope', once(tar), { ...plain, container: 'web' }),
    (err: unknown) =>
      isMoorError(err, 'NotFound') &&
      err.message === 'Could not find the file /nope in container web',
  );
  await assert.rejects(
    extractArchive(root, '/file', once(tar), plain),
    (err: unknown) =>
      isMoorError(err, 'InvalidArgument') && err.message === 'extraction point is not a directory',
  );
  await extractArchive(root, '/tmp-link', once(tar), plain);
  assert.equal(await readFile(join(root, 'tmp', 'x'), 'utf8'), 'x');
});

test('entries climbing out of the destination are refused', async () => {
  const root = await makeRoot('escapes');
  const cases: Array<[TarHeaderInput, RegExp]> = [
    [{ name: '../../outside/evil', type: 'file' }, /is outside of "\/tmp"/],
    [{ name: 'a/../../x', type: 'file' }, /is outside of/],
    [{ name: 'l', type: 'symlink', linkname: '../../outside' }, /invalid symlink "\/tmp\/l"/],
    [{ name: 'h', type: 'hardlink', linkname: '../etc/passwd' }, /is outside of/],
  ];
  for (const [header, message] of cases) {
    const tar = await makeTar([[header, header.type === 'file' ? 'evil' : undefined]]);
    await assert.rejects(extractArchive(root, '/tmp', once(tar), plain), message);
  }
  // A leading '/' or '/..' stays inside, as with Docker.
  const tar = await makeTar([[{ name: '/../inside', type: 'file' }, 'ok']]);
  await extractArchive(root, '/tmp', once(tar), plain);
  assert.equal(await readFile(join(root, 'tmp', 'inside'), 'utf8'), 'ok');
});

test('links, in the archive or the rootfs, never lead writes outside the rootfs', async () => {
  const root = await makeRoot('through-links');
  const outside = join(root, '..', 'outside');
  await symlink('../../../../outside', join(root, 'tmp', 'up'));
  await symlink(outside, join(root, 'tmp', 'host-abs'));
  const tar = await makeTar([
    [{ name: 'root', type: 'symlink', linkname: '/' }],
    [{ name: 'root/etc/planted', type: 'file' }, 'in rootfs'],
    [{ name: 'up/pwned', type: 'file' }, 'in rootfs'],
    [{ name: 'host-abs/pwned', type: 'file' }, 'in rootfs'],
  ]);
  await extractArchive(root, '/tmp', once(tar), plain);
  assert.equal(await readFile(join(root, 'etc', 'planted'), 'utf8'), 'in rootfs');
  assert.equal(await readFile(join(root, 'outside', 'pwned'), 'utf8'), 'in rootfs');
  assert.equal(await readFile(join(root, outside, 'pwned'), 'utf8'), 'in rootfs');
  assert.equal(lstatSync(join(outside, 'pwned'), { throwIfNoEntry: false }), undefined);
});

test('noOverwriteDirNonDir refuses to swap directories and non-directories', async () => {
  const root = await makeRoot('no-overwrite');
  await mkdir(join(root, 'tmp', 'd'));
  await writeFile(join(root, 'tmp', 'f'), 'file');
  const strict = { ...plain, noOverwriteDirNonDir: true };
  const fileOverDir = await makeTar([[{ name: 'd', type: 'file' }, 'x']]);
  await assert.rejects(
    extractArchive(root, '/tmp', once(fileOverDir), strict),
    /cannot overwrite directory "\/tmp\/d" with non-directory "\/tmp"/,
  );
  const dirOverFile = await makeTar([[{ name: 'f', type: 'directory' }]]);
  await assert.rejects(
    extractArchive(root, '/tmp', once(dirOverFile), strict),
    /cannot overwrite non-directory "\/tmp\/f" with directory "\/tmp"/,
  );
  assert.ok(lstatSync(join(root, 'tmp', 'd')).isDirectory());
  // Directories merge; without the flag anything is replaced.
  const merge = await makeTar([
    [{ name: 'd/', type: 'directory', mode: 0o700 }],
    [{ name: 'd/in', type: 'file' }, 'in'],
  ]);
  await extractArchive(root, '/tmp', once(merge), strict);
  assert.equal(lstatSync(join(root, 'tmp', 'd')).mode & 0o777, 0o700);
  await extractArchive(root, '/tmp', once(fileOverDir), plain);
  assert.ok(lstatSync(join(root, 'tmp', 'd')).isFile());
  await extractArchive(root, '/tmp', once(dirOverFile), plain);
  assert.ok(lstatSync(join(root, 'tmp', 'f')).isDirectory());
});

test('owners: the archive ids, or the container user with copyUIDGID', async () => {
  const root = await makeRoot('owners');
  const tar = await makeTar([
    [{ name: 'new/deep/f', type: 'file', uid: 1000, gid: 1001 }, 'f'],
    [{ name: 'l', type: 'symlink', linkname: 'new', uid: 1000, gid: 1001 }],
  ]);
  await extractArchive(root, '/tmp', once(tar), plain);
  const f = lstatSync(join(root, 'tmp', 'new', 'deep', 'f'));
  assert.deepEqual([f.uid, f.gid], [1000, 1001]);
  const implied = lstatSync(join(root, 'tmp', 'new'));
  assert.deepEqual([implied.uid, implied.gid, implied.mode & 0o777], [0, 0, 0o755]);

  const user = { uid: 42, gid: 43 };
  await extractArchive(root, '/tmp', once(tar), { ...plain, copyUIDGID: true, user });
  for (const path of ['new/deep/f', 'l']) {
    const info = lstatSync(join(root, 'tmp', path));
    assert.deepEqual([info.uid, info.gid], [42, 43], path);
  }
  // No configured user: the archive's ids stay, as in Docker.
  await extractArchive(root, '/tmp', once(tar), { ...plain, copyUIDGID: true });
  assert.equal(lstatSync(join(root, 'tmp', 'new', 'deep', 'f')).uid, 1000);
});

test('a file in the way of a parent directory is an error', async () => {
  const root = await makeRoot('parent-file');
  await writeFile(join(root, 'tmp', 'f'), '');
  const tar = await makeTar([[{ name: 'f/x', type: 'file' }, 'x']]);
  await assert.rejects(
    extractArchive(root, '/tmp', once(tar), plain),
    (err: unknown) => isMoorError(err, 'InvalidArgument') && /not a directory/.test(err.message),
  );
});
