import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { isMoorError } from '../core/index.js';
import {
  createTarSplitWriter,
  encodeVarint,
  readTarSplit,
  type TarSplitSegment,
} from './tar-split.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tar-split-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string): Promise<TarSplitSegment[]> {
  const out: TarSplitSegment[] = [];
  for await (const segment of readTarSplit(path)) out.push(segment);
  return out;
}

test('varints are LEB128', () => {
  assert.deepEqual([...encodeVarint(0)], [0]);
  assert.deepEqual([...encodeVarint(127)], [127]);
  assert.deepEqual([...encodeVarint(300)], [0xac, 0x02]);
  assert.equal(encodeVarint(2 ** 40).length, 6);
});

test('raw bytes are coalesced, file references keep order and ordinals', async () => {
  const path = join(dir, 'roundtrip');
  const writer = await createTarSplitWriter(path);
  await writer.raw(Buffer.from('header-1'));
  await writer.raw(Buffer.from('+more'));
  assert.equal(await writer.file('usr/bin/ünïcode', 5_000_000_000), 0);
  await writer.raw(Buffer.from('pad'));
  assert.equal(await writer.file('b', 1), 1);
  await writer.close();
  assert.deepEqual(await readAll(path), [
    { kind: 'raw', data: Buffer.from('header-1+more') },
    { kind: 'file', ordinal: 0, path: 'usr/bin/ünïcode', size: 5_000_000_000 },
    { kind: 'raw', data: Buffer.from('pad') },
    { kind: 'file', ordinal: 1, path: 'b', size: 1 },
  ]);
});

test('large raw runs are split into several records and read back whole', async () => {
  const path = join(dir, 'large');
  const writer = await createTarSplitWriter(path);
  const data = Buffer.alloc(300 * 1024, 7);
  for (let i = 0; i < data.length; i += 512) await writer.raw(data.subarray(i, i + 512));
  await writer.close();
  const segments = await readAll(path);
  assert.ok(segments.length > 1);
  assert.ok(
    Buffer.concat(segments.map((s) => (s.kind === 'raw' ? s.data : Buffer.alloc(0)))).equals(data),
  );
});

test('an empty tar-split has no segments', async () => {
  const path = join(dir, 'empty');
  const writer = await createTarSplitWriter(path);
  await writer.close();
  assert.deepEqual(await readAll(path), []);
});

test('a foreign or truncated file is an internal error', async () => {
  const foreign = join(dir, 'foreign');
  await writeFile(foreign, gzipSync(Buffer.from('not a tar-split at all')));
  await assert.rejects(readAll(foreign), (err: unknown) => isMoorError(err, 'Internal'));
  const truncated = join(dir, 'truncated');
  await writeFile(
    truncated,
    gzipSync(Buffer.concat([Buffer.from('MOORTS1\n'), Buffer.of(1, 10, 1)])),
  );
  await assert.rejects(readAll(truncated), (err: unknown) => isMoorError(err, 'Internal'));
});
