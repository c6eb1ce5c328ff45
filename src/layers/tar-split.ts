import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

import { gunzipStream, gzipStream } from '../archive/index.js';
import { internal } from '../core/index.js';

/**
 * tar-split: what it takes, besides the unpacked files, to re-create a layer's tar byte for byte
 * (so that its sha256 is the layer's diff id again). The archive is cut into segments: raw bytes
 * (headers, extended headers, padding, end blocks, bodies of entries that were not unpacked as
 * files) kept inline, and file bodies kept as references — the path of the file inside the
 * layer's diff dir and its size.
 *
 * File format (gzip-compressed): the magic `MOORTS1\n`, then records:
 *   0x01 <varint length> <bytes>                 raw segment
 *   0x02 <varint size> <varint length> <path>    file body (the n-th such record is file #n)
 * Varints are unsigned LEB128.
 */

export type TarSplitSegment =
  { kind: 'raw'; data: Buffer } | { kind: 'file'; ordinal: number; path: string; size: number };

const MAGIC = Buffer.from('MOORTS1\n');
const RAW = 0x01;
const FILE = 0x02;
/** Raw bytes are coalesced up to this size before becoming one record. */
const RAW_FLUSH = 64 * 1024;

export function encodeVarint(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw internal(`tar-split: bad varint ${value}`);
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

export interface TarSplitWriter {
  /** Appends raw archive bytes. */
  raw(chunk: Buffer): Promise<void>;
  /** Appends a file body reference; returns its ordinal. */
  file(path: string, size: number): Promise<number>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  /** Stops writing after a failure (the caller removes the file). */
  abort(): void;
}

export async function createTarSplitWriter(path: string): Promise<TarSplitWriter> {
  const gzip = gzipStream();
  const done = pipeline(gzip, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  // Failures surface through write()/close(); keep the promise from being unhandled meanwhile.
  done.catch(() => undefined);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let files = 0;

  async function write(data: Buffer): Promise<void> {
    if (!gzip.write(data)) await Promise.race([once(gzip, 'drain'), done]);
  }
  async function flushRaw(): Promise<void> {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await write(Buffer.concat([Buffer.of(RAW), encodeVarint(data.length), data]));
  }

  await write(MAGIC);
  return {
    async raw(chunk) {
      if (chunk.length === 0) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= RAW_FLUSH) await flushRaw();
    },
    async file(filePath, size) {
      await flushRaw();
      const name = Buffer.from(filePath, 'utf8');
      await write(
        Buffer.concat([Buffer.of(FILE), encodeVarint(size), encodeVarint(name.length), name]),
      );
      return files++;
    },
    async close() {
      await flushRaw();
      gzip.end();
      await done;
    },
    abort() {
      gzip.destroy();
    },
  };
}

/** Pulls exact byte counts out of a chunked stream. */
function createByteReader(source: AsyncIterable<Buffer>) {
  const iterator = source[Symbol.asyncIterator]();
  let buffer: Buffer = Buffer.alloc(0);

  async function fill(n: number): Promise<boolean> {
    while (buffer.length < n) {
      const next = await iterator.next();
      if (next.done) return false;
      buffer = buffer.length === 0 ? next.value : Buffer.concat([buffer, next.value]);
    }
    return true;
  }
  async function take(n: number): Promise<Buffer> {
    if (!(await fill(n))) throw internal('tar-split: unexpected end of file');
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  }
  async function varint(): Promise<number> {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = (await take(1))[0] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw internal('tar-split: varint too long');
    }
  }
  return { fill, take, varint };
}

/** Reads the segments of a tar-split file in order. */
export async function* readTarSplit(
  path: string,
  signal?: AbortSignal,
): AsyncGenerator<TarSplitSegment> {
  const gunzip = gunzipStream();
  const done = pipeline(createReadStream(path), gunzip, { signal });
  done.catch(() => undefined);
  const reader = createByteReader(gunzip);
  let files = 0;
  let finished = false;
  try {
    yield* readSegments();
    finished = true;
  } finally {
    if (!finished) gunzip.destroy();
  }
  await done;

  async function* readSegments(): AsyncGenerator<TarSplitSegment> {
    const magic = await reader.take(MAGIC.length);
    if (!magic.equals(MAGIC)) throw internal(`tar-split: ${path} is not a tar-split file`);
    while (await reader.fill(1)) {
      const type = (await reader.take(1))[0];
      if (type === RAW) {
        const length = await reader.varint();
        yield { kind: 'raw', data: Buffer.from(await reader.take(length)) };
      } else if (type === FILE) {
        const size = await reader.varint();
        const name = await reader.take(await reader.varint());
        yield { kind: 'file', ordinal: files++, path: name.toString('utf8'), size };
      } else {
        throw internal(`tar-split: unknown record type ${type} in ${path}`);
      }
    }
  }
}
