import type { Readable } from 'node:stream';
import { mkdir, open, opendir, readFile, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, notFound } from '../core/index.js';
import { digestHex, parseDigest } from '../oci/index.js';
import type { Digest } from '../oci/index.js';
import { ingestBlob, READ_CHUNK } from './ingest.js';
import type { BlobInfo, IngestSource } from './ingest.js';

export type { BlobInfo, IngestSource } from './ingest.js';

/**
 * A content-addressed blob store (containerd's content store, reduced to what moor needs).
 *
 * Layout under `root` (`<data-root>/content`):
 * - `blobs/sha256/<hex>` committed blobs, read-only (0444), content always matches the name;
 * - `ingest/<random>` blobs being written; never read, removed on failure and by `cleanIngest`.
 *
 * Every method validates its digest (`invalidArgument` for a malformed one), so a digest taken
 * from a request can never name a path outside the store.
 */
export interface ContentStore {
  readonly root: string;
  /** Path of a committed blob (blobs/sha256/<hex>); the file is read-only (0444). */
  path(digest: Digest): string;
  has(digest: Digest): Promise<boolean>;
  info(digest: Digest): Promise<BlobInfo | undefined>;
  /** notFound(`blob ${digest} not found`) when missing. */
  read(digest: Digest): Promise<Readable>;
  /** The whole blob in memory: for manifests and configs, not layers. Same errors as `read`. */
  readBuffer(digest: Digest): Promise<Buffer>;
  /**
   * Ingest: stream into ingest/<random> while hashing → verify expected size/digest (when given;
   * mismatch → invalidArgument(`digest mismatch: expected X, got Y`) / size mismatch likewise and
   * nothing is committed) → fsync → rename into blobs/sha256/<hex> (no-op if it already exists:
   * concurrent writers of the same blob are safe; the loser's temp file is removed) → fsync dir.
   * A blob is never visible half-written. On error or abort, the temp file is removed.
   * A source longer than `expected.size` fails as soon as it overruns. On abort the promise
   * rejects promptly even when the source is stalled (the source's `return()` is then called
   * without waiting for it).
   */
  write(
    source: IngestSource,
    expected?: { digest?: Digest; size?: number },
    signal?: AbortSignal,
  ): Promise<BlobInfo>;
  /** True if it existed. Readers holding the blob open keep reading it. */
  delete(digest: Digest): Promise<boolean>;
  /** Committed blobs, in directory order; blobs deleted during the walk may or may not appear. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Removes leftovers of interrupted ingests (called at daemon start); ingests in progress in
   * this store are left alone. Returns how many entries were removed.
   */
  cleanIngest(): Promise<number>;
}

const HEX = /^[a-f0-9]{64}$/;

/** Opens (creating if needed: mkdir -p root/blobs/sha256, root/ingest) the store at `root`. */
export async function openContentStore(root: string): Promise<ContentStore> {
  const blobsDir = join(root, 'blobs', 'sha256');
  const ingestDir = join(root, 'ingest');
  await mkdir(blobsDir, { recursive: true });
  await mkdir(ingestDir, { recursive: true });
  /** Names of this store's ingest files still being written (cleanIngest skips them). */
  const active = new Set<string>();

  const path = (digest: Digest): string => join(blobsDir, digestHex(parseDigest(digest)));

  const info = async (digest: Digest): Promise<BlobInfo | undefined> => {
    try {
      const st = await stat(path(digest));
      return { digest, size: st.size };
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  };

  return {
    root,
    path,
    info,
    has: async (digest) => (await info(digest)) !== undefined,
    read: async (digest) => {
      const handle = await open(path(digest), 'r').catch(missingBlob(digest));
      return handle.createReadStream({ highWaterMark: READ_CHUNK });
    },
    readBuffer: (digest) => readFile(path(digest)).catch(missingBlob(digest)),
    write: (source, expected = {}, signal) =>
      ingestBlob({ source, expected, signal, ingestDir, blobPath: path, active }),
    delete: async (digest) => {
      try {
        await unlink(path(digest));
        return true;
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) return false;
        throw err;
      }
    },
    list: () => listBlobs(blobsDir),
    cleanIngest: () => cleanIngest(ingestDir, active),
  };
}

function missingBlob(digest: Digest): (err: unknown) => never {
  return (err) => {
    if (hasErrno(err, 'ENOENT')) throw notFound(`blob ${digest} not found`, err);
    throw err;
  };
}

async function* listBlobs(blobsDir: string): AsyncGenerator<BlobInfo> {
  for await (const entry of await opendir(blobsDir)) {
    if (!entry.isFile() || !HEX.test(entry.name)) continue;
    try {
      const st = await stat(join(blobsDir, entry.name));
      yield { digest: `sha256:${entry.name}`, size: st.size };
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err; // deleted since the directory was read
    }
  }
}

async function cleanIngest(ingestDir: string, active: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  for (const name of await readdir(ingestDir)) {
    if (active.has(name)) continue;
    await rm(join(ingestDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
