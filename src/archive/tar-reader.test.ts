import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, rm, symlink, utimes, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { BLOCK_SIZE, writeChecksum } from './tar-fields.js';
import { readTar, type TarEntry, type TarRawKind } from './tar-reader.js';
import type { TarHeader, TarHeaderInput } from './tar-header.js';
import { createTarWriter } from './tar-writer.js';

const LONG_DIR = 'd'.repeat(60);
const LONG_FILE = 'f'.repeat(120); // too long for ustar even with a prefix
const LONG_TARGET = `${'t'.repeat(80)}/${'u'.repeat(80)}`;
const BIG = randomBytes(70_001);
const MTIME = 1_700_000_000.5;

/** `data` in chunks of `size` bytes, as a stream would deliver it. */
function chunked(data: Buffer, size = data.length): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks);
}

interface ReadResult {
  entries: { header: TarHeader; body: Buffer }[];
  raw: { chunk: Buffer; kind: TarRawKind }[];
}

async function readAll(data: Buffer, chunkSize?: number): Promise<ReadResult> {
  const raw: ReadResult['raw'] = [];
  const entries: ReadResult['entries'] = [];
  const onRaw = (chunk: Buffer, kind: TarRawKind) => raw.push({ chunk: Buffer.from(chunk), kind });
  for await (const entry of readTar(chunked(data, chunkSize), { onRaw })) {
    entries.push({ header: entry.header, body: await entry.buffer() });
  }
  return { entries, raw };
}

function byName(result: ReadResult, name: string) {
  const found = result.entries.find((e) => e.header.name === name);
  assert.ok(found, `entry ${name} in ${result.entries.map((e) => e.header.name).join(', ')}`);
  return found;
}

function hasAttr(): boolean {
  try {
    execFileSync('attr', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return false;
    return true; // attr -h exits non-zero but exists
  }
}

describe('readTar on archives made by GNU tar', () => {
  let dir = '';
  let withXattr = false;
  const gnuTar = (format: string, members: string[], extra: string[] = []) =>
    execFileSync(
      'tar',
      [`--format=${format}`, ...extra, '-cf', '-', '-C', join(dir, 'tree'), ...members],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  const SHORT = ['hello.txt', 'empty', 'big.bin', 'setgid', 'sticky', 'link', 'hard', 'fifo'];
  const ALL = [...SHORT, 'grüße.txt', LONG_DIR, 'longlink'];
  const DEVICE = ['-C', '/dev', 'null'];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-archive-tar-reader-'));
    const tree = join(dir, 'tree');
    await mkdir(join(tree, LONG_DIR), { recursive: true });
    await writeFile(join(tree, 'hello.txt'), 'hello\n');
    await writeFile(join(tree, 'empty'), '');
    await writeFile(join(tree, 'big.bin'), BIG);
    await writeFile(join(tree, 'grüße.txt'), 'grüße');
    await writeFile(join(tree, LONG_DIR, LONG_FILE), 'long');
    await mkdir(join(tree, 'setgid'));
    await chmod(join(tree, 'setgid'), 0o2750);
    await mkdir(join(tree, 'sticky'));
    await chmod(join(tree, 'sticky'), 0o1777);
    await symlink('hello.txt', join(tree, 'link'));
    await symlink(LONG_TARGET, join(tree, 'longlink'));
    await link(join(tree, 'hello.txt'), join(tree, 'hard'));
    execFileSync('mkfifo', [join(tree, 'fifo')]);
    await utimes(join(tree, 'hello.txt'), MTIME, MTIME);
    if (hasAttr()) {
      execFileSync('attr', ['-q', '-s', 'moor', '-V', 'xattr value', join(tree, 'hello.txt')]);
      withXattr = true;
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('onRaw reproduces every byte, whatever the chunking', async () => {
    const archives = {
      pax: gnuTar('pax', ALL, ['--xattrs', ...DEVICE]),
      gnu: gnuTar('gnu', ALL, DEVICE),
      ustar: gnuTar('ustar', SHORT, DEVICE),
      v7: gnuTar('v7', ['hello.txt', 'setgid']),
      global: gnuTar('pax', SHORT, ['--pax-option=comment=hello']),
    };
    for (const [format, archive] of Object.entries(archives)) {
      for (const size of [1, 7, 512, 1000, 65_536, undefined]) {
        if (size === 1 && archive.length > 20_000) continue;
        const { raw, entries } = await readAll(archive, size);
        const joined = Buffer.concat(raw.map((r) => r.chunk));
        assert.ok(joined.equals(archive), `${format} with chunks of ${size}`);
        const bodies = raw.filter((r) => r.kind === 'body').map((r) => r.chunk);
        const expected = entries.map((e) => e.body).filter((b) => b.length > 0);
        assert.ok(Buffer.concat(bodies).equals(Buffer.concat(expected)), `${format} bodies`);
      }
    }
  });

  for (const format of ['pax', 'gnu']) {
    test(`reads every entry type (${format})`, async () => {
      const extra = format === 'pax' ? ['--xattrs', ...DEVICE] : DEVICE;
      const result = await readAll(gnuTar(format, ALL, extra));
      const hello = byName(result, 'hello.txt');
      assert.equal(hello.header.type, 'file');
      assert.equal(hello.body.toString(), 'hello\n');
      assert.equal(hello.header.size, 6);
      assert.equal(hello.header.uid, process.getuid?.());
      assert.equal(byName(result, 'empty').body.length, 0);
      assert.ok(byName(result, 'big.bin').body.equals(BIG));
      assert.equal(byName(result, 'grüße.txt').body.toString(), 'grüße');
      const long = byName(result, `${LONG_DIR}/${LONG_FILE}`);
      assert.equal(long.body.toString(), 'long');
      assert.equal(byName(result, `${LONG_DIR}/`).header.type, 'directory');
      assert.deepEqual(pick(byName(result, 'setgid/').header), ['directory', 0o2750, '']);
      assert.deepEqual(pick(byName(result, 'sticky/').header), ['directory', 0o1777, '']);
      assert.deepEqual(pick(byName(result, 'link').header), ['symlink', 0o777, 'hello.txt']);
      assert.equal(byName(result, 'longlink').header.linkname, LONG_TARGET);
      assert.equal(byName(result, 'hard').header.type, 'hardlink');
      assert.equal(byName(result, 'hard').header.linkname, 'hello.txt');
      assert.equal(byName(result, 'hard').header.size, 0);
      assert.equal(byName(result, 'fifo').header.type, 'fifo');
      const nul = byName(result, 'null').header;
      assert.deepEqual([nul.type, nul.devmajor, nul.devminor], ['char', 1, 3]);
      if (format === 'pax') {
        assert.equal(hello.header.mtime.getTime(), MTIME * 1000);
        if (withXattr)
          assert.deepEqual(hello.header.xattrs, { 'user.moor': Buffer.from('xattr value') });
      } else {
        assert.equal(hello.header.mtime.getTime(), Math.floor(MTIME) * 1000);
      }
    });
  }

  test('reads old-style headers (v7)', async () => {
    const result = await readAll(gnuTar('v7', ['hello.txt', 'setgid']));
    assert.equal(byName(result, 'hello.txt').body.toString(), 'hello\n');
    assert.equal(byName(result, 'setgid/').header.type, 'directory');
    assert.equal(byName(result, 'hello.txt').header.uname, '');
  });

  test('reads GNU base-256 numbers and PAX ids', async () => {
    const owner = ['--owner=big:3000000', '--group=bigger:4000000', '--mtime=@-1000'];
    for (const format of ['gnu', 'pax']) {
      const { entries } = await readAll(gnuTar(format, ['hello.txt'], owner));
      const { header } = entries[0]!;
      assert.deepEqual(
        [header.uid, header.gid, header.uname, header.gname],
        [3e6, 4e6, 'big', 'bigger'],
      );
      assert.equal(header.mtime.getTime(), -1_000_000, format);
    }
  });

  test('applies PAX global headers to every entry', async () => {
    const { entries } = await readAll(gnuTar('pax', SHORT, ['--pax-option=comment=hello']));
    assert.equal(entries.length, SHORT.length);
    for (const { header } of entries) assert.equal(header.pax.comment, 'hello');
  });

  test('an archive ending right after its last body, without padding, ends there', async () => {
    const archive = await written([
      [{ name: 'Dockerfile', type: 'file' }, Buffer.from('FROM x\n')],
    ]);
    const { entries } = await readAll(archive.subarray(0, BLOCK_SIZE + 7));
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.body.toString(), 'FROM x\n');
    await assert.rejects(readAll(archive.subarray(0, BLOCK_SIZE + 9)), /unexpected end of data/);
  });

  test('truncated archives throw', async () => {
    const archive = gnuTar('pax', ['hello.txt', 'big.bin']);
    for (const length of [
      100,
      512 + 200,
      3 * BLOCK_SIZE + 3,
      3 * BLOCK_SIZE + 600,
      archive.length - 40_000,
    ]) {
      await assert.rejects(
        readAll(archive.subarray(0, length), 4096),
        (err: unknown) => {
          assert.ok(isMoorError(err, 'InvalidArgument'), String(err));
          assert.match(err.message, /^invalid tar archive: unexpected end of data$/);
          return true;
        },
        `cut at ${length}`,
      );
    }
  });

  test('a header with a bad checksum throws', async () => {
    const archive = Buffer.from(gnuTar('ustar', ['hello.txt']));
    archive[0] = 'j'.charCodeAt(0);
    await assert.rejects(readAll(archive), /invalid tar header checksum/);
    await assert.rejects(
      readAll(Buffer.alloc(600, 'not a tar archive ')),
      /invalid tar header checksum/,
    );
  });
});

/** Type, mode and link name: what most entry checks compare. */
function pick(header: TarHeader): [string, number, string] {
  return [header.type, header.mode, header.linkname];
}

/** An archive made by our writer. */
async function written(entries: [TarHeaderInput, Buffer?][]): Promise<Buffer> {
  const writer = createTarWriter();
  const chunks: Buffer[] = [];
  const collecting = (async () => {
    for await (const chunk of writer.readable) chunks.push(chunk as Buffer);
  })();
  for (const [header, body] of entries) await writer.add(header, body);
  await writer.finish();
  await collecting;
  return Buffer.concat(chunks);
}

/** Rewrites the type flag of the header block at `offset` (and its checksum). */
function withFlag(archive: Buffer, offset: number, flag: string): Buffer {
  const copy = Buffer.from(archive);
  const block = copy.subarray(offset, offset + BLOCK_SIZE);
  block.write(flag, 156, 'latin1');
  writeChecksum(block);
  return copy;
}

describe('readTar edge cases', () => {
  const files: [TarHeaderInput, Buffer?][] = [
    [{ name: 'a', type: 'file' }, Buffer.from('first body')],
    [{ name: 'b', type: 'file' }, randomBytes(3000)],
    [{ name: 'c', type: 'file' }, Buffer.from('third')],
  ];

  test('empty input has no entries', async () => {
    assert.deepEqual((await readAll(Buffer.alloc(0))).entries, []);
  });

  test('an archive may end without end-of-archive blocks, and keeps trailing bytes', async () => {
    const archive = await written(files);
    const cut = archive.subarray(0, archive.length - 2 * BLOCK_SIZE);
    assert.equal((await readAll(cut)).entries.length, 3);
    const trailing = Buffer.concat([archive, Buffer.from('trailing garbage')]);
    const { raw, entries } = await readAll(trailing, 100);
    assert.equal(entries.length, 3);
    assert.ok(Buffer.concat(raw.map((r) => r.chunk)).equals(trailing));
    assert.equal(raw.at(-1)?.kind, 'end');
  });

  test('unread and partly read bodies are skipped', async () => {
    const archive = await written(files);
    const names: string[] = [];
    let third = '';
    for await (const entry of readTar(chunked(archive, 700))) {
      names.push(entry.header.name);
      if (entry.header.name === 'b') {
        for await (const chunk of entry.body()) {
          assert.ok(chunk.length > 0);
          break;
        }
      }
      if (entry.header.name === 'c') third = (await entry.buffer()).toString();
    }
    assert.deepEqual(names, ['a', 'b', 'c']);
    assert.equal(third, 'third');
  });

  test('a body cannot be read after moving on, nor twice', async () => {
    const archive = await written(files);
    const entries: TarEntry[] = [];
    for await (const entry of readTar(chunked(archive))) entries.push(entry);
    await assert.rejects(entries[0]!.buffer(), /no longer readable/);
    const gen = readTar(chunked(archive));
    const first = (await gen.next()).value as TarEntry;
    assert.equal((await first.buffer()).toString(), 'first body');
    await assert.rejects(first.buffer(), /only once/);
    await gen.return(undefined);
  });

  test("old-style '\\0' entries are files, or directories when the name ends in '/'", async () => {
    const archive = await written([
      [{ name: 'dir/', type: 'file' }],
      [{ name: 'file', type: 'file' }, Buffer.from('x')],
    ]);
    const patched = withFlag(withFlag(archive, 0, '\0'), BLOCK_SIZE, '\0');
    const { entries } = await readAll(patched);
    assert.deepEqual(
      entries.map((e) => [e.header.name, e.header.type]),
      [
        ['dir/', 'directory'],
        ['file', 'file'],
      ],
    );
  });

  test('unknown entry types and signed checksums', async () => {
    const archive = await written(files);
    await assert.rejects(
      readAll(withFlag(archive, 0, 'S')),
      /unsupported tar entry type 'S' for "a"/,
    );
    // A header with bytes >= 0x80 whose checksum was computed with signed chars.
    const signed = await written([[{ name: 'é', type: 'file', uname: 'ü' }, Buffer.from('s')]]);
    const block = signed.subarray(0, BLOCK_SIZE);
    let sum = 0;
    for (let i = 0; i < BLOCK_SIZE; i++) {
      const c = i >= 148 && i < 156 ? 0x20 : block[i]!;
      sum += c > 127 ? c - 256 : c;
    }
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    assert.equal((await readAll(signed)).entries[0]?.header.name, 'é');
  });

  test('stops when the signal aborts', async () => {
    const archive = await written(files);
    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const entry of readTar(chunked(archive, 512), { signal: controller.signal })) {
        seen.push(entry.header.name);
        controller.abort();
      }
    }, /abort/i);
    assert.deepEqual(seen, ['a']);
  });
});
