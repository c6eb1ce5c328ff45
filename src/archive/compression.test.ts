import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { isMoorError } from '../core/index.js';
import {
  decompressed,
  detectCompression,
  gunzipStream,
  gzipStream,
  isGzip,
} from './compression.js';
import { readTar } from './tar-reader.js';
import { createTarWriter } from './tar-writer.js';

/** `data` in chunks of `size` bytes, as a stream would deliver it. */
function chunked(data: Buffer, size: number): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks);
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(chunk);
  return Buffer.concat(parts);
}

const BODY = randomBytes(20_000);

async function sampleTar(): Promise<Buffer> {
  const writer = createTarWriter();
  const output = collect(writer.readable);
  await writer.add({ name: 'dir/', type: 'directory' });
  await writer.add({ name: 'dir/data.bin', type: 'file' }, BODY);
  await writer.finish();
  return output;
}

function rejectsInvalid(promise: Promise<unknown>, message: RegExp): Promise<void> {
  return assert.rejects(promise, (err: unknown) => {
    assert.ok(isMoorError(err, 'InvalidArgument'), String(err));
    assert.match(err.message, message);
    return true;
  });
}

test('detects formats by their magic bytes', () => {
  assert.equal(detectCompression(gzipSync('x')), 'gzip');
  assert.ok(isGzip(Buffer.of(0x1f, 0x8b, 8)));
  assert.ok(!isGzip(Buffer.of(0x1f)));
  assert.equal(detectCompression(Buffer.from('BZh91AY')), 'bzip2');
  assert.equal(detectCompression(Buffer.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0)), 'xz');
  assert.equal(detectCompression(Buffer.of(0x28, 0xb5, 0x2f, 0xfd, 1)), 'zstd');
  assert.equal(detectCompression(Buffer.from('ustar')), 'none');
});

test('gzip round trip: writer → gzip → decompressed → readTar', async () => {
  const tar = await sampleTar();
  const gz = gzipSync(tar);
  for (const size of [7, 1000, gz.length]) {
    assert.ok((await collect(decompressed(chunked(gz, size)))).equals(tar), `chunks of ${size}`);
  }
  const names: string[] = [];
  for await (const entry of readTar(decompressed(chunked(gz, 4096)))) {
    names.push(entry.header.name);
    if (entry.header.type === 'file') assert.ok((await entry.buffer()).equals(BODY));
  }
  assert.deepEqual(names, ['dir/', 'dir/data.bin']);
});

test('plain data passes through untouched, even tiny or empty inputs', async () => {
  const tar = await sampleTar();
  assert.ok((await collect(decompressed(chunked(tar, 2)))).equals(tar));
  assert.ok(
    (await collect(decompressed(chunked(Buffer.from('abc'), 1)))).equals(Buffer.from('abc')),
  );
  assert.equal((await collect(decompressed(chunked(Buffer.alloc(0), 1)))).length, 0);
});

test('other compression formats are refused', async () => {
  const xz = Buffer.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1, 2, 3);
  await rejectsInvalid(
    collect(decompressed(chunked(xz, 1))),
    /^unsupported compression format: xz$/,
  );
  const zstd = Buffer.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0);
  await rejectsInvalid(collect(decompressed(chunked(zstd, 10))), /: zstd$/);
  await rejectsInvalid(collect(decompressed(chunked(Buffer.from('BZh91AY&SY'), 10))), /: bzip2$/);
});

test('corrupt and truncated gzip throw invalidArgument', async () => {
  const gz = gzipSync(await sampleTar());
  const corrupt = Buffer.from(gz);
  corrupt.fill(0x55, 20, 200);
  await rejectsInvalid(collect(decompressed(chunked(corrupt, 64))), /^invalid gzip data: /);
  const cut = gz.subarray(0, gz.length - 100);
  await rejectsInvalid(collect(decompressed(chunked(cut, 64))), /^invalid gzip data: /);
});

test('stopping early releases the source', async () => {
  let released = false;
  async function* source(): AsyncGenerator<Buffer> {
    try {
      yield* chunked(gzipSync(randomBytes(1 << 20)), 1024);
    } finally {
      released = true;
    }
  }
  for await (const chunk of decompressed(source())) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.ok(released);
});

test('gzipStream writes the bytes zlib does with its default chunks, gunzipStream reads them', async () => {
  // Pushed layers' digests must not change with the chunk size moor uses.
  const text = Buffer.from('moor layer data '.repeat(40_000));
  const data = Buffer.concat([text, randomBytes(300_000), text]);
  const gzipped = await collect(Readable.from(chunked(data, 70_000)).pipe(gzipStream()));
  assert.deepEqual(gzipped, gzipSync(data));
  const back = await collect(
    Readable.from([gzipped]).pipe(gunzipStream()) as AsyncIterable<Buffer>,
  );
  assert.deepEqual(back, data);
});
