import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Gunzip, type Gzip, createGunzip, createGzip } from 'node:zlib';

import { internal, invalidArgument } from '../core/index.js';

/**
 * zlib's output chunk size. Node's default (16 KiB) costs a thread-pool round trip per 16 KiB
 * and makes gunzip three times slower than `gzip -d`; the output bytes do not depend on it.
 */
const ZLIB_CHUNK = 1 << 20;

/** A gunzip transform with large output chunks. */
export function gunzipStream(): Gunzip {
  return createGunzip({ chunkSize: ZLIB_CHUNK });
}

/** A gzip transform (default level) with large output chunks; same bytes as any chunking. */
export function gzipStream(): Gzip {
  return createGzip({ chunkSize: ZLIB_CHUNK });
}

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: readonly (readonly [Exclude<Compression, 'none'>, Buffer])[] = [
  ['gzip', Buffer.of(0x1f, 0x8b)],
  ['bzip2', Buffer.from('BZh', 'latin1')],
  ['xz', Buffer.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)],
  ['zstd', Buffer.of(0x28, 0xb5, 0x2f, 0xfd)],
];

/** Bytes needed to recognise every format in detectCompression. */
const PEEK_SIZE = 6;

/** The compression format announced by the first bytes of a stream ('none' for plain data). */
export function detectCompression(head: Buffer): Compression {
  for (const [format, magic] of MAGIC) {
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) {
      return format;
    }
  }
  return 'none';
}

export function isGzip(head: Buffer): boolean {
  return detectCompression(head) === 'gzip';
}

/**
 * The uncompressed bytes of a layer: gzip is gunzipped, plain data passes through as is;
 * bzip2, xz and zstd throw invalidArgument ('unsupported compression format: xz').
 */
export async function* decompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    const head: Buffer[] = [];
    let length = 0;
    while (length < PEEK_SIZE) {
      const result = await iterator.next();
      if (result.done) break;
      head.push(result.value);
      length += result.value.length;
    }
    const format = detectCompression(Buffer.concat(head, length));
    if (format !== 'none' && format !== 'gzip') {
      throw invalidArgument(`unsupported compression format: ${format}`);
    }
    const all = resumed(head, iterator);
    if (format === 'gzip') yield* gunzipped(all);
    else yield* all;
  } finally {
    await iterator.return?.();
  }
}

/** The peeked chunks, then the rest of the iterator (which the caller releases). */
async function* resumed(
  head: readonly Buffer[],
  iterator: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer> {
  yield* head;
  for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
    yield result.value;
  }
}

async function* gunzipped(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = gunzipStream();
  // The pipeline feeds gunzip while this generator drains it; it settles once gunzip has
  // taken all input, or with the first error (which also ends the iteration below).
  let failure: Error | undefined;
  const feeding = pipeline(Readable.from(source, { objectMode: false }), gunzip).catch(
    (err: unknown) => {
      failure = err instanceof Error ? err : internal(String(err));
    },
  );
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
    await feeding;
    if (failure !== undefined) throw failure;
  } catch (err) {
    throw isZlibError(err) ? invalidArgument(`invalid gzip data: ${err.message}`, err) : err;
  } finally {
    gunzip.destroy();
    await feeding;
  }
}

function isZlibError(err: unknown): err is NodeJS.ErrnoException {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
}
