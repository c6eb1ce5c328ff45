import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { isMoorError } from '../core/index.js';
import { BLOCK_SIZE } from './tar-fields.js';
import type { TarHeader, TarHeaderInput } from './tar-header.js';
import { readTar } from './tar-reader.js';
import { createTarWriter, type TarWriter } from './tar-writer.js';

const isRoot = process.getuid?.() === 0;
const STREAMED = randomBytes(100_000);
const MTIME = new Date('2023-11-14T22:13:20Z');
const LONG_NAME = 'n'.repeat(150);
const SPLIT_NAME = `${'p'.repeat(120)}/${'q'.repeat(90)}`;
const LONG_TARGET = 'x/'.repeat(80);
const XATTRS = { 'user.moor': Buffer.of(0, 1, 2, 0xff), 'user.other': Buffer.from('v') };

/** `data` in chunks of `size` bytes, as a stream would deliver it. */
function chunked(data: Buffer, size = data.length): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks);
}

type Entry = [TarHeaderInput, (Buffer | AsyncIterable<Buffer>)?];

/** Entries of every kind; bodies are Buffers or (for streamed.bin) a stream. */
function sampleEntries(): Entry[] {
  const file = (name: string, extra: Partial<TarHeader> = {}, body = Buffer.from(name)): Entry => [
    { name, type: 'file', mtime: MTIME, ...extra },
    body,
  ];
  return [
    [{ name: 'dir/', type: 'directory', mode: 0o2755, mtime: MTIME }],
    file('dir/file.txt', { mode: 0o640, uid: 1234, gid: 5678, uname: 'someone', gname: 'staff' }),
    [
      { name: 'dir/streamed.bin', type: 'file', size: STREAMED.length, mtime: MTIME },
      chunked(STREAMED, 777),
    ],
    [{ name: 'empty', type: 'file', mtime: MTIME }],
    file(LONG_NAME),
    file(SPLIT_NAME),
    [{ name: 'dir/link', type: 'symlink', linkname: 'file.txt', mtime: MTIME }],
    [{ name: 'longlink', type: 'symlink', linkname: LONG_TARGET, mtime: MTIME }],
    [{ name: 'dir/hard', type: 'hardlink', linkname: 'dir/file.txt', mtime: MTIME }],
    [{ name: 'fifo', type: 'fifo', mode: 0o600, mtime: MTIME }],
    [{ name: 'null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3, mtime: MTIME }],
    file('bigid', { uid: 3_000_000, gid: 4_000_000, uname: 'u'.repeat(40) }),
    file('xattr', { xattrs: XATTRS }),
    file('suid', { mode: 0o4755 }),
    file('grüße'),
    file('old', { mtime: new Date(-1_000_000) }),
  ];
}

/** Runs the writer over `entries` while collecting its output. */
async function written(entries: Entry[], writer: TarWriter = createTarWriter()): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const collecting = (async () => {
    for await (const chunk of writer.readable) chunks.push(chunk as Buffer);
  })();
  for (const [header, body] of entries) await writer.add(header, body);
  await writer.finish();
  await collecting;
  return Buffer.concat(chunks);
}

function bodyOf(entry: Entry): Buffer {
  const body = entry[1];
  if (body === undefined) return Buffer.alloc(0);
  return Buffer.isBuffer(body) ? body : STREAMED;
}

describe('createTarWriter', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-archive-tar-writer-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('round trips through readTar, onRaw reproducing the bytes', async () => {
    const entries = sampleEntries();
    const archive = await written(entries);
    const raw: Buffer[] = [];
    const read: { header: TarHeader; body: Buffer }[] = [];
    for await (const entry of readTar(chunked(archive, 1000), { onRaw: (c) => raw.push(c) })) {
      read.push({ header: entry.header, body: await entry.buffer() });
    }
    assert.ok(Buffer.concat(raw).equals(archive));
    assert.equal(read.length, entries.length);
    for (const [i, entry] of entries.entries()) {
      const input = entry[0];
      const { header, body } = read[i]!;
      assert.equal(header.name, input.name);
      assert.equal(header.type, input.type);
      assert.ok(body.equals(bodyOf(entry)), input.name);
      assert.equal(header.size, body.length);
      const mode = { directory: 0o755, symlink: 0o777 }[header.type as string] ?? 0o644;
      const defaults = { mode, uid: 0, gid: 0 };
      const expected = { ...defaults, uname: '', gname: '', linkname: '', ...input };
      for (const key of ['mode', 'uid', 'gid', 'uname', 'gname', 'linkname'] as const) {
        assert.equal(header[key], expected[key], `${key} of ${input.name}`);
      }
      assert.equal(header.mtime.getTime(), input.mtime?.getTime());
      assert.deepEqual(header.xattrs, input.xattrs ?? {});
    }
    const nul = read.find((e) => e.header.name === 'null')!.header;
    assert.deepEqual([nul.devmajor, nul.devminor], [1, 3]);
  });

  test('writes plain ustar unless a field needs PAX', async () => {
    const plain = await written([[{ name: 'a', type: 'file' }, Buffer.from('abc')]]);
    assert.equal(plain.length, 2 * BLOCK_SIZE + 2 * BLOCK_SIZE);
    assert.equal(plain.toString('latin1', 257, 265), 'ustar\u000000');
    const split = await written([[{ name: SPLIT_NAME, type: 'file' }]]);
    assert.equal(split.length, BLOCK_SIZE + 2 * BLOCK_SIZE, 'long names use the ustar prefix');
    const long = await written([[{ name: LONG_NAME, type: 'file' }]]);
    assert.equal(long[156], 'x'.charCodeAt(0));
    assert.match(
      long.toString('latin1', BLOCK_SIZE, 2 * BLOCK_SIZE),
      new RegExp(`path=${LONG_NAME}\n`),
    );
  });

  test('GNU tar extracts what it writes', async () => {
    const archive = await written(sampleEntries());
    const out = join(dir, 'extract');
    await mkdir(out);
    const args = ['-x', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', out];
    const excluded = isRoot ? [] : ['--exclude=null'];
    const extract = spawnSync('tar', [...args, ...excluded], { input: archive });
    assert.equal(extract.status, 0, extract.stderr.toString());
    const warnings = extract.stderr
      .toString()
      .split('\n')
      .filter((line) => line !== '' && !line.includes('implausibly old time stamp'));
    assert.deepEqual(warnings, []);

    assert.equal(await readFile(join(out, 'dir/file.txt'), 'utf8'), 'dir/file.txt');
    assert.ok((await readFile(join(out, 'dir/streamed.bin'))).equals(STREAMED));
    assert.equal(await readFile(join(out, LONG_NAME), 'utf8'), LONG_NAME);
    assert.equal(await readFile(join(out, SPLIT_NAME), 'utf8'), SPLIT_NAME);
    assert.equal(await readFile(join(out, 'grüße'), 'utf8'), 'grüße');
    assert.equal((await lstat(join(out, 'empty'))).size, 0);
    assert.equal(await readlink(join(out, 'dir/link')), 'file.txt');
    assert.equal(await readlink(join(out, 'longlink')), LONG_TARGET);
    const file = await lstat(join(out, 'dir/file.txt'));
    assert.equal((await lstat(join(out, 'dir/hard'))).ino, file.ino);
    assert.equal(file.mtime.getTime(), MTIME.getTime());
    assert.equal((await lstat(join(out, 'old'))).mtime.getTime(), -1_000_000);
    assert.ok((await lstat(join(out, 'fifo'))).isFIFO());
    assert.equal((await lstat(join(out, 'dir'))).mode & 0o7777, 0o2755);
    assert.equal((await lstat(join(out, 'suid'))).mode & 0o7777, 0o4755);
    if (isRoot) {
      assert.equal(file.mode & 0o7777, 0o640);
      assert.deepEqual([file.uid, file.gid], [1234, 5678]);
      const big = await lstat(join(out, 'bigid'));
      assert.deepEqual([big.uid, big.gid], [3_000_000, 4_000_000]);
      const nul = await lstat(join(out, 'null'));
      assert.ok(nul.isCharacterDevice());
      assert.equal(nul.rdev, (1 << 8) | 3);
    }

    // GNU tar restored the xattrs: archive the file again and read them back.
    const again = execFileSync('tar', ['--format=pax', '--xattrs', '-cf', '-', '-C', out, 'xattr']);
    const restored: Record<string, Buffer>[] = [];
    for await (const entry of readTar(chunked(again))) restored.push(entry.header.xattrs);
    assert.deepEqual(restored, [XATTRS]);
  });

  test('bad entries are refused before anything is written', async () => {
    const writer = createTarWriter();
    const stream = chunked(Buffer.from('abc'), 1);
    const refused = async (
      header: TarHeaderInput,
      body: Buffer | AsyncIterable<Buffer> | undefined,
      message: RegExp,
    ) =>
      assert.rejects(writer.add(header, body), (err: unknown) => {
        assert.ok(isMoorError(err, 'InvalidArgument'));
        assert.match(err.message, message);
        return true;
      });
    await refused({ name: 'a', type: 'file' }, stream, /streamed body needs header.size/);
    await refused({ name: 'd', type: 'directory' }, Buffer.from('x'), /only files have a body/);
    await refused({ name: 'a', type: 'file', size: 2 }, Buffer.from('x'), /size 2 but body of 1/);
    await refused({ name: '', type: 'file' }, undefined, /invalid tar entry name/);
    await refused({ name: 'c', type: 'char', devmajor: 1 << 30 }, undefined, /devmajor/);
    const archive = await written([[{ name: 'ok', type: 'file' }, Buffer.from('fine')]], writer);
    const names: string[] = [];
    for await (const entry of readTar(chunked(archive, 512))) names.push(entry.header.name);
    assert.deepEqual(names, ['ok']);
  });

  test('a streamed body of the wrong length fails the stream', async () => {
    for (const body of [Buffer.from('short'), Buffer.from('much too long')]) {
      const writer = createTarWriter();
      const reading = (async () => {
        for await (const chunk of writer.readable) assert.ok(chunk);
      })();
      const header: TarHeaderInput = { name: 'f', type: 'file', size: 8 };
      await assert.rejects(writer.add(header, chunked(body, 2)), /body/);
      await assert.rejects(reading, /body/);
      await assert.rejects(writer.add({ name: 'g', type: 'file' }), /body/);
    }
  });

  test('add waits for the consumer (backpressure) and fails once the stream is gone', async () => {
    const writer = createTarWriter();
    let done = false;
    const adding = writer.add({ name: 'big', type: 'file' }, randomBytes(1 << 20)).then(() => {
      done = true;
    });
    await sleep(20);
    assert.equal(done, false);
    let received = 0;
    writer.readable.on('data', (chunk: Buffer) => (received += chunk.length));
    await adding;
    assert.ok(received >= 1 << 20);
    writer.readable.destroy();
    await assert.rejects(writer.add({ name: 'late', type: 'file' }), /closed/);
  });

  test('finish ends the stream; add after finish is refused', async () => {
    const writer = createTarWriter();
    const archive = await written([], writer);
    assert.ok(archive.equals(Buffer.alloc(2 * BLOCK_SIZE)));
    await assert.rejects(writer.add({ name: 'a', type: 'file' }), /after finish/);
  });
});
