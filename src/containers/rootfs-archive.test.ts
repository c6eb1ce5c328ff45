import assert from 'node:assert/strict';
import {
  chmod,
  chown,
  link,
  lutimes,
  mkdir,
  mkdtemp,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { readTar, type TarHeader } from '../archive/index.js';
import { isMoorError } from '../core/index.js';
import { makeSpecialFile } from '../sys/index.js';
import {
  archivePath,
  deviceNumbers,
  encodePathStat,
  exportRootfs,
  formatGoTime,
  goFileMode,
  statPath,
} from './rootfs-archive.js';

let base: string;
let root: string;
const T = 1_700_000_000; // 2023-11-14T22:13:20Z

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'rootfs-archive-test-'));
  root = join(base, 'rootfs');
  await mkdir(join(root, 'dir', 'sub'), { recursive: true });
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'hello.txt'), 'hello');
  await chmod(join(root, 'hello.txt'), 0o644);
  await utimes(join(root, 'hello.txt'), T + 0.5, T + 0.5);
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await writeFile(join(root, 'dir', 'a'), 'AAAA');
  await chown(join(root, 'dir', 'a'), 1234, 5678);
  await chmod(join(root, 'dir', 'a'), 0o4750);
  await utimes(join(root, 'dir', 'a'), T + 0.75, T + 0.75);
  await link(join(root, 'dir', 'a'), join(root, 'dir', 'sub', 'hard'));
  await writeFile(join(root, 'dir', 'sub', 'b'), 'b');
  await symlink('../etc/passwd', join(root, 'dir', 'link'));
  await lutimes(join(root, 'dir', 'link'), T, T);
  await makeSpecialFile(join(root, 'dir', 'fifo'), { type: 'fifo' });
  await makeSpecialFile(join(root, 'dir', 'null'), { type: 'char', major: 1, minor: 3 });
  await listenOn(join(root, 'dir', 'sock'));
  await chmod(join(root, 'dir'), 0o1775);
  await utimes(join(root, 'dir'), T, T);
  await symlink('/dir', join(root, 'to-dir'));
  await symlink('dir/../etc/../dir/link', join(root, 'chained'));
});

after(async () => {
  socketServer.close();
  await rm(base, { recursive: true, force: true });
});

const socketServer = createServer();

/** Makes a unix socket file (listening until the tests end). */
async function listenOn(path: string): Promise<void> {
  await new Promise<void>((resolve) => socketServer.listen(path, resolve));
  socketServer.unref();
}

async function entries(tar: AsyncIterable<Buffer>): Promise<TarHeader[]> {
  const headers: TarHeader[] = [];
  for await (const entry of readTar(tar)) headers.push(entry.header);
  return headers;
}

test('the stat header is the base64 of Go-encoded JSON, byte for byte', async () => {
  const stat = await statPath(root, '/hello.txt');
  assert.deepEqual(stat, {
    name: 'hello.txt',
    size: 5,
    mode: 0o644,
    mtime: '2023-11-14T22:13:20.5Z',
    linkTarget: '',
  });
  assert.equal(
    encodePathStat(stat),
    'eyJuYW1lIjoiaGVsbG8udHh0Iiwic2l6ZSI6NSwibW9kZSI6NDIwLCJtdGltZSI6IjIwMjMtMTEtMTRUMjI6MTM6MjAuNVoiLCJsaW5rVGFyZ2V0IjoiIn0=',
  );
});

test('encodePathStat escapes HTML characters as Go does', () => {
  const stat = { name: 'a<b>&c', size: 0, mode: 0, mtime: '', linkTarget: '' };
  const json = Buffer.from(encodePathStat(stat), 'base64').toString();
  assert.equal(
    json,
    '{"name":"a\\u003cb\\u003e\\u0026c","size":0,"mode":0,"mtime":"","linkTarget":""}',
  );
});

test('directories, links and special bits as Go file modes', async () => {
  const dir = await statPath(root, 'dir');
  assert.equal(dir.mode, 2 ** 31 + 2 ** 20 + 0o775);
  assert.equal(dir.mtime, '2023-11-14T22:13:20Z');
  const link = await statPath(root, 'dir/link');
  assert.equal(link.mode, 2 ** 27 + 0o777);
  assert.equal(link.linkTarget, '/etc/passwd');
  assert.equal(link.size, '../etc/passwd'.length);
  assert.equal((await statPath(root, '/chained')).linkTarget, '/etc/passwd');
  assert.equal((await statPath(root, 'dir/a')).mode, 2 ** 23 + 0o750);
  assert.equal((await statPath(root, 'dir/null')).mode & ~0o777, 2 ** 26 + 2 ** 21);
  assert.equal((await statPath(root, 'dir/fifo')).mode & ~0o777, 2 ** 25);
  assert.equal((await statPath(root, 'dir/sock')).mode & ~0o777, 2 ** 24);
  assert.equal(goFileMode(0o060660), 2 ** 26 + 0o660);
  assert.equal(goFileMode(0o102755), 2 ** 22 + 0o755);
});

test('names follow Docker: link/ is the target dir, dir/. is ".", / is "/"', async () => {
  const viaLink = await statPath(root, 'to-dir/');
  assert.equal(viaLink.name, 'to-dir');
  assert.ok(viaLink.mode >= 2 ** 31, 'a directory');
  assert.equal((await statPath(root, 'to-dir')).linkTarget, '/dir');
  assert.equal((await statPath(root, '/dir/.')).name, '.');
  assert.equal((await statPath(root, '/')).name, '/');
  assert.equal((await statPath(root, '../../dir/sub')).name, 'sub');
});

test('a missing path is NotFound with Docker message', async () => {
  await assert.rejects(
    statPath(root, '/nope/x', { container: 'web' }),
    (err: unknown) =>
      isMoorError(err, 'NotFound') &&
      err.message === 'Could not find the file /nope/x in container web',
  );
  await assert.rejects(archivePath(root, 'hello.txt/x'), (err: unknown) =>
    isMoorError(err, 'NotFound'),
  );
  await assert.rejects(statPath(root, 'hello.txt/'), /not a directory/);
});

test('a directory archive is rebased on its name and keeps everything', async () => {
  const { stat, tar } = await archivePath(root, '/dir');
  assert.equal(stat.name, 'dir');
  const headers = await entries(tar);
  assert.deepEqual(
    headers.map((h) => [h.name, h.type]),
    [
      ['dir/', 'directory'],
      ['dir/a', 'file'],
      ['dir/fifo', 'fifo'],
      ['dir/link', 'symlink'],
      ['dir/null', 'char'],
      ['dir/sub/', 'directory'],
      ['dir/sub/b', 'file'],
      ['dir/sub/hard', 'hardlink'],
    ],
  );
  const byName = new Map(headers.map((h) => [h.name, h]));
  const top = byName.get('dir/')!;
  assert.equal(top.mode, 0o1775);
  assert.equal(top.mtime.getTime(), T * 1000);
  const a = byName.get('dir/a')!;
  assert.deepEqual([a.uid, a.gid, a.mode, a.size], [1234, 5678, 0o4750, 4]);
  assert.equal(a.mtime.getTime(), T * 1000, 'mtimes are whole seconds');
  assert.equal(byName.get('dir/link')!.linkname, '../etc/passwd');
  assert.equal(byName.get('dir/sub/hard')!.linkname, 'dir/a');
  const dev = byName.get('dir/null')!;
  assert.deepEqual([dev.devmajor, dev.devminor], [1, 3]);
});

test('dir/., the root, a file, a link and link/', async () => {
  const dot = await entries((await archivePath(root, 'dir/.')).tar);
  assert.deepEqual(
    dot.slice(0, 2).map((h) => h.name),
    ['./', './a'],
  );
  const all = await entries((await archivePath(root, '/')).tar);
  assert.equal(all[0]?.name, '/');
  assert.ok(all.some((h) => h.name === '/dir/sub/b'));
  const file = await entries((await archivePath(root, 'etc/passwd')).tar);
  assert.deepEqual(
    file.map((h) => [h.name, h.type, h.size]),
    [['passwd', 'file', 26]],
  );
  const link = await entries((await archivePath(root, 'to-dir')).tar);
  assert.deepEqual(
    link.map((h) => [h.name, h.type, h.linkname]),
    [['to-dir', 'symlink', '/dir']],
  );
  const followed = await entries((await archivePath(root, 'to-dir/')).tar);
  assert.equal(followed[0]?.name, 'to-dir/');
  assert.ok(followed.some((h) => h.name === 'to-dir/sub/b'));
});

test('file bodies are archived', async () => {
  const { tar } = await archivePath(root, 'dir/sub');
  const bodies = new Map<string, string>();
  for await (const entry of readTar(tar))
    bodies.set(entry.header.name, (await entry.buffer()).toString());
  assert.equal(bodies.get('sub/b'), 'b');
  assert.equal(bodies.get('sub/hard'), 'AAAA', 'the first name of a hard-linked file has the body');
});

test('export names entries without ./ and leaves out skipped paths', async () => {
  const headers = await entries(exportRootfs(root, { skip: ['/dir/sub', 'etc/'] }));
  const names = headers.map((h) => h.name);
  assert.deepEqual(names.slice(0, 3), ['chained', 'dir/', 'dir/a']);
  assert.ok(names.includes('hello.txt'));
  assert.ok(!names.some((n) => n.startsWith('dir/sub') || n.startsWith('etc')));
  assert.ok(!names.includes('dir/sock'), 'sockets are left out');
});

test('stopping early or aborting releases the stream', async () => {
  for await (const chunk of exportRootfs(root)) {
    assert.ok(chunk.length > 0);
    break;
  }
  const controller = new AbortController();
  const { tar } = await archivePath(root, '/', { signal: controller.signal });
  await assert.rejects(async () => {
    for await (const chunk of tar) {
      assert.ok(chunk);
      controller.abort(new Error('client went away'));
    }
  }, /client went away/);
});

test('formatGoTime and deviceNumbers', () => {
  assert.equal(formatGoTime(0n), '1970-01-01T00:00:00Z');
  assert.equal(formatGoTime(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
  assert.equal(formatGoTime(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
  assert.equal(formatGoTime(-500_000_000n), '1969-12-31T23:59:59.5Z');
  assert.deepEqual(deviceNumbers(0x0103), { devmajor: 1, devminor: 3 });
  // glibc's makedev(0x12345, 0x6789a)
  const major = 0x12345n;
  const minor = 0x6789an;
  const dev =
    ((major & 0xfffn) << 8n) |
    ((major & ~0xfffn) << 32n) |
    (minor & 0xffn) |
    ((minor & ~0xffn) << 12n);
  assert.deepEqual(deviceNumbers(Number(dev)), { devmajor: 0x12345, devminor: 0x6789a });
});
