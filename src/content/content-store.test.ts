import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { sha256Digest } from '../oci/index.js';
import { openContentStore } from './content-store.js';
import type { ContentStore } from './content-store.js';

let base: string;
let n = 0;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'moor-content-store-test-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A fresh store per test, so ingest/blob directory checks see only that test's files. */
async function freshStore(): Promise<ContentStore> {
  return openContentStore(join(base, `store-${++n}`));
}

async function ingestEntries(store: ContentStore): Promise<string[]> {
  return readdir(join(store.root, 'ingest'));
}

async function blobEntries(store: ContentStore): Promise<string[]> {
  return readdir(join(store.root, 'blobs', 'sha256'));
}

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield data.subarray(i, i + size);
  }
}

test('write/read round trip, from a string, a buffer and a stream', async () => {
  const store = await freshStore();
  const info = await store.write('hello');
  assert.deepEqual(info, { digest: sha256Digest('hello'), size: 5 });
  assert.equal(await text(await store.read(info.digest)), 'hello');
  assert.equal((await store.readBuffer(info.digest)).toString(), 'hello');
  assert.deepEqual(await store.info(info.digest), info);
  assert.ok(await store.has(info.digest));
  assert.equal(store.path(info.digest), join(store.root, 'blobs', 'sha256', info.digest.slice(7)));

  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
  const fromStream = await store.write(Readable.from(chunked(big, 64 * 1024)), {
    digest: sha256Digest(big),
    size: big.length,
  });
  assert.deepEqual(fromStream, { digest: sha256Digest(big), size: big.length });
  assert.deepEqual(await store.write(big), fromStream);
  assert.ok((await store.readBuffer(fromStream.digest)).equals(big));
  assert.deepEqual(await ingestEntries(store), []);
});

test('empty blob', async () => {
  const store = await freshStore();
  const info = await store.write(Buffer.alloc(0), { size: 0 });
  assert.deepEqual(info, { digest: sha256Digest(''), size: 0 });
  assert.equal((await store.readBuffer(info.digest)).length, 0);
});

test('expected digest mismatch leaves no blob and no temp file', async () => {
  const store = await freshStore();
  const wrong = sha256Digest('something else');
  await assert.rejects(
    store.write('hello', { digest: wrong }),
    (err) =>
      isMoorError(err, 'InvalidArgument') &&
      err.message === `digest mismatch: expected ${wrong}, got ${sha256Digest('hello')}`,
  );
  assert.equal(await store.has(sha256Digest('hello')), false);
  assert.deepEqual(await blobEntries(store), []);
  assert.deepEqual(await ingestEntries(store), []);
});

test('size mismatch, short or long, leaves nothing', async () => {
  const store = await freshStore();
  await assert.rejects(
    store.write('hello', { size: 6 }),
    (err) =>
      isMoorError(err, 'InvalidArgument') && /size mismatch: expected 6, got 5/.test(err.message),
  );
  await assert.rejects(
    store.write(chunked(Buffer.alloc(1 << 20), 1024), { size: 10 }),
    (err) => isMoorError(err, 'InvalidArgument') && /size mismatch: expected 10/.test(err.message),
  );
  assert.deepEqual(await blobEntries(store), []);
  assert.deepEqual(await ingestEntries(store), []);
});

test('malformed expected digest is rejected before reading', async () => {
  const store = await freshStore();
  await assert.rejects(store.write('x', { digest: 'sha256:../../etc/passwd' }), (err) =>
    isMoorError(err, 'InvalidArgument'),
  );
  assert.throws(
    () => store.path('sha256:../x'),
    (err) => isMoorError(err, 'InvalidArgument'),
  );
  assert.deepEqual(await ingestEntries(store), []);
});

test('concurrent writes of the same content all succeed and leave one blob', async () => {
  const store = await freshStore();
  const data = Buffer.alloc(2 * 1024 * 1024, 'c');
  const expected = { digest: sha256Digest(data), size: data.length };
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      store.write(i % 2 === 0 ? data : chunked(data, 128 * 1024), expected),
    ),
  );
  for (const r of results) assert.deepEqual(r, expected);
  assert.deepEqual(await blobEntries(store), [expected.digest.slice(7)]);
  assert.deepEqual(await ingestEntries(store), []);
  assert.ok((await store.readBuffer(expected.digest)).equals(data));
});

test('abort mid-write leaves nothing, even with a stalled source', async () => {
  const store = await freshStore();
  const ac = new AbortController();
  async function* stalls(): AsyncGenerator<Buffer> {
    yield Buffer.alloc(64 * 1024, 'a');
    ac.abort();
    await new Promise(() => undefined); // never resolves
  }
  await assert.rejects(store.write(stalls(), undefined, ac.signal), { name: 'AbortError' });

  const ac2 = new AbortController();
  const flowing = Readable.from(chunked(Buffer.alloc(8 << 20), 64 * 1024));
  flowing.once('data', () => ac2.abort());
  await assert.rejects(store.write(flowing, undefined, ac2.signal), { name: 'AbortError' });
  assert.ok(flowing.destroyed);

  await assert.rejects(store.write('x', undefined, AbortSignal.abort()), { name: 'AbortError' });
  assert.deepEqual(await blobEntries(store), []);
  assert.deepEqual(await ingestEntries(store), []);
});

test('a failing source leaves nothing and reports its error', async () => {
  const store = await freshStore();
  async function* fails(): AsyncGenerator<Buffer> {
    yield Buffer.from('partial');
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('connection reset');
  }
  await assert.rejects(store.write(fails()), /connection reset/);
  assert.deepEqual(await blobEntries(store), []);
  assert.deepEqual(await ingestEntries(store), []);
});

test('delete', async () => {
  const store = await freshStore();
  const { digest } = await store.write('to delete');
  assert.equal(await store.delete(digest), true);
  assert.equal(await store.has(digest), false);
  assert.equal(await store.info(digest), undefined);
  assert.equal(await store.delete(digest), false);
});

test('list yields committed blobs only', async () => {
  const store = await freshStore();
  const a = await store.write('a');
  const b = await store.write('bb');
  await writeFile(join(store.root, 'blobs', 'sha256', 'not-a-digest'), 'junk');
  await writeFile(join(store.root, 'ingest', 'stray'), 'junk');
  const listed = [];
  for await (const info of store.list()) listed.push(info);
  listed.sort((x, y) => x.size - y.size);
  assert.deepEqual(listed, [a, b]);
});

test('cleanIngest removes stray ingest files but not ingests in progress', async () => {
  const store = await freshStore();
  await writeFile(join(store.root, 'ingest', 'stray-1'), 'half a layer');
  await writeFile(join(store.root, 'ingest', 'stray-2'), '');

  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  async function* slow(): AsyncGenerator<Buffer> {
    yield Buffer.from('in ');
    await gate;
    yield Buffer.from('progress');
  }
  const writing = store.write(slow());
  while ((await ingestEntries(store)).length < 3) await new Promise((r) => setTimeout(r, 5));

  assert.equal(await store.cleanIngest(), 2);
  assert.equal((await ingestEntries(store)).length, 1);
  release();
  assert.deepEqual(await writing, { digest: sha256Digest('in progress'), size: 11 });
  assert.deepEqual(await ingestEntries(store), []);
  assert.equal(await store.cleanIngest(), 0);
});

test('read of a missing blob throws NotFound', async () => {
  const store = await freshStore();
  const missing = sha256Digest('missing');
  const isNotFound = (err: unknown): boolean =>
    isMoorError(err, 'NotFound') && err.message === `blob ${missing} not found`;
  await assert.rejects(store.read(missing), isNotFound);
  await assert.rejects(store.readBuffer(missing), isNotFound);
});

test('blob files are read-only (0444)', async () => {
  const store = await freshStore();
  const { digest } = await store.write('read only');
  assert.equal((await stat(store.path(digest))).mode & 0o777, 0o444);
});

test('reopening a store keeps its blobs', async () => {
  const store = await freshStore();
  const { digest } = await store.write('kept');
  const again = await openContentStore(store.root);
  assert.equal((await again.readBuffer(digest)).toString(), 'kept');
});
