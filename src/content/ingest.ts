import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { hasErrno, invalidArgument, pathExists, syncDir } from '../core/index.js';
import { parseDigest } from '../oci/index.js';
import type { Digest } from '../oci/index.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** What a blob can be written from: a stream of chunks (any Readable), or the whole content. */
export type IngestSource = AsyncIterable<Buffer> | Buffer | string;

/** Chunk size for reads and the write buffer: large, so a 500 MB layer costs few syscalls. */
export const READ_CHUNK = 1 << 20;
const WRITE_BUFFER = 4 << 20;

export interface IngestOptions {
  source: IngestSource;
  expected: { digest?: Digest; size?: number };
  signal: AbortSignal | undefined;
  /** Where temp files go; same filesystem as the blobs, so the commit is a rename. */
  ingestDir: string;
  blobPath: (digest: Digest) => string;
  /** Temp file names in use; the entry is added for the duration of the ingest. */
  active: Set<string>;
}

/** The ContentStore.write contract (see content-store.ts). */
export async function ingestBlob(opts: IngestOptions): Promise<BlobInfo> {
  const { expected, signal } = opts;
  if (expected.digest !== undefined) parseDigest(expected.digest);
  if (expected.size !== undefined && !(Number.isSafeInteger(expected.size) && expected.size >= 0)) {
    throw invalidArgument(`invalid blob size: ${expected.size}`);
  }
  signal?.throwIfAborted();
  const name = randomBytes(16).toString('hex');
  const tmp = join(opts.ingestDir, name);
  opts.active.add(name);
  try {
    const blob = await writeTemp(tmp, opts.source, expected, signal);
    await commit(tmp, opts.blobPath(blob.digest));
    return blob;
  } finally {
    await removeIfPresent(tmp);
    opts.active.delete(name);
  }
}

/** Streams `source` into a new file `tmp` while hashing, verifies it, seals it (0444, fsync). */
async function writeTemp(
  tmp: string,
  source: IngestSource,
  expected: { digest?: Digest; size?: number },
  signal: AbortSignal | undefined,
): Promise<BlobInfo> {
  const tally = createTally(expected.size);
  await pipeline(
    toChunks(source),
    // pipeline passes its own signal, aborted on the caller's abort and on any stage's failure.
    (chunks: AsyncIterable<Buffer>, stage?: { signal?: AbortSignal }) =>
      tallyChunks(chunks, tally, stage?.signal ?? signal),
    // Owns its descriptor (a FileHandle's stream would keep it referenced until the stream closes),
    // and closes it only once no write is in flight, also on failure.
    createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_BUFFER }),
    { signal },
  );
  const blob = tally.result();
  if (expected.size !== undefined && blob.size !== expected.size) {
    throw invalidArgument(`size mismatch: expected ${expected.size}, got ${blob.size}`);
  }
  if (expected.digest !== undefined && blob.digest !== expected.digest) {
    throw invalidArgument(`digest mismatch: expected ${expected.digest}, got ${blob.digest}`);
  }
  await sealFile(tmp);
  return blob;
}

/** Makes a written file read-only and flushes it to disk (fsync through a fresh descriptor). */
async function sealFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.chmod(0o444);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a verified temp file to its blob path, unless the blob is already there (then the temp
 * file is left for the caller to remove). Two writers racing past the check both rename files
 * of identical content, which readers cannot tell apart.
 */
async function commit(tmp: string, target: string): Promise<void> {
  if (!(await pathExists(target))) await rename(tmp, target);
  // Also when the blob already exists: a concurrent writer may not have synced the directory yet.
  await syncDir(dirname(target));
}

interface Tally {
  add(chunk: Buffer): void;
  result(): BlobInfo;
}

function createTally(expectedSize: number | undefined): Tally {
  const hash = createHash('sha256');
  let size = 0;
  return {
    add(chunk) {
      size += chunk.length;
      if (expectedSize !== undefined && size > expectedSize) {
        throw invalidArgument(`size mismatch: expected ${expectedSize}, got more`);
      }
      hash.update(chunk);
    },
    result: () => ({ digest: `sha256:${hash.digest('hex')}`, size }),
  };
}

async function* toChunks(source: IngestSource): AsyncGenerator<Buffer> {
  if (typeof source === 'string') yield Buffer.from(source);
  else if (Buffer.isBuffer(source)) yield source;
  else yield* source;
}

/**
 * Passes chunks through, adding each to `tally`. Unlike `for await`, it stops as soon as `stop`
 * aborts even while the source is stalled in `next()`, so an abort always ends the ingest.
 */
async function* tallyChunks(
  source: AsyncIterable<Buffer>,
  tally: Tally,
  stop: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const next = await nextUnlessAborted(iterator, stop);
      if (next.done === true) {
        done = true;
        return;
      }
      tally.add(next.value);
      yield next.value;
    }
  } finally {
    // Close the source early (as `for await` would) without waiting: it may be stalled.
    if (!done) iterator.return?.().catch(ignoreLateError);
  }
}

/**
 * `iterator.next()`, or a rejection as soon as `signal` aborts. (Not Promise.race against one
 * long-lived abort promise: every race would leave a reaction on it holding its chunk.)
 */
function nextUnlessAborted<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<T>> {
  if (signal === undefined) return iterator.next();
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** A source failing to close after the ingest has already failed adds nothing to report. */
function ignoreLateError(_err: unknown): void {
  return;
}

/** The abort reason when it is an Error (as by default), else an AbortError. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('This operation was aborted', 'AbortError');
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
}
