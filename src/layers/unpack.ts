import { createHash } from 'node:crypto';
import { lutimes, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { internal } from '../core/index.js';
import { decompressed, readTar, type TarRawKind } from '../archive/index.js';
import type { Digest } from '../oci/index.js';
import { setXattrs, type XattrAssignment } from '../sys/index.js';
import { applyLayerEntry } from './apply-entry.js';
import { createLayerPaths } from './layer-paths.js';
import { createTarSplitWriter } from './tar-split.js';
import { absolutePath, type UnpackContext, type UnpackMode } from './tree-ops.js';

export const DIFF_DIR = 'diff';
/** The longest stretch an unpack keeps the event loop to itself. */
const YIELD_EVERY_MS = 10;
export const TAR_SPLIT_FILE = 'tar-split';

export interface UnpackLayerOptions {
  /** The layer tar, plain or gzip-compressed. */
  source: AsyncIterable<Buffer>;
  /** The layer's (temporary) dir: `diff/` must exist (empty, or vfs: the parent's tree). */
  layerDir: string;
  mode: UnpackMode;
  signal?: AbortSignal | undefined;
  /** Bytes of `source` read so far. */
  onProgress?: ((bytesRead: number) => void) | undefined;
}

export interface UnpackedLayer {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** Sum of the sizes of the regular files in the tar. */
  size: number;
  /** Length of the uncompressed tar. */
  tarSize: number;
}

/** Counts (and reports) the bytes of a stream as they are read. */
async function* counted(
  source: AsyncIterable<Buffer>,
  onBytes: (total: number) => void,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    onBytes(total);
    yield chunk;
  }
}

/**
 * Unpacks a layer tar into `<layerDir>/diff`, writing `<layerDir>/tar-split` (and, if entries of
 * the archive replaced each other, `<layerDir>/bodies/`) as it goes. The diff id is the sha256 of
 * every byte of the decompressed input. Throws invalidArgument for invalid archives; the caller
 * removes `layerDir` on failure.
 */
export async function unpackLayer(options: UnpackLayerOptions): Promise<UnpackedLayer> {
  const { layerDir, signal } = options;
  const hash = createHash('sha256');
  let recordedBytes = 0;
  let inputBytes = 0;
  /** Raw bytes seen but not yet handed to the tar-split writer (onRaw cannot wait). */
  let queued: Buffer[] = [];
  /** Bytes of a referenced file body still to come (they are not stored inline). */
  let skipBody = 0;
  const tarSplit = await createTarSplitWriter(join(layerDir, TAR_SPLIT_FILE));

  const onRaw = (chunk: Buffer, kind: TarRawKind): void => {
    hash.update(chunk);
    recordedBytes += chunk.length;
    if (kind === 'body' && skipBody > 0) {
      const skipped = Math.min(skipBody, chunk.length);
      skipBody -= skipped;
      if (skipped === chunk.length) return;
      chunk = chunk.subarray(skipped);
    }
    queued.push(chunk);
  };
  const flush = async (): Promise<void> => {
    const chunks = queued;
    queued = [];
    for (const chunk of chunks) await tarSplit.raw(chunk);
  };
  const ctx: UnpackContext = {
    diffDir: join(layerDir, DIFF_DIR),
    layerDir,
    mode: options.mode,
    paths: createLayerPaths(),
    signal,
    async referenceBody(path, size) {
      await flush();
      skipBody = size;
      return tarSplit.file(path, size);
    },
  };

  let size = 0;
  try {
    const input = counted(options.source, (n) => options.onProgress?.(n));
    const tar = counted(decompressed(input), (n) => (inputBytes = n));
    let lastYield = performance.now();
    for await (const entry of readTar(tar, { signal, onRaw })) {
      signal?.throwIfAborted();
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Entries buffered in memory are applied without awaiting I/O: let the daemon breathe.
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      await flush();
      if (entry.header.type === 'file') size += entry.header.size;
      const bodyRead = await applyLayerEntry(ctx, entry);
      if (!bodyRead) for await (const chunk of entry.body()) if (chunk.length > 0) await flush();
    }
    await flush();
    if (recordedBytes !== inputBytes) {
      throw internal(`tar reader saw ${recordedBytes} of ${inputBytes} bytes of the layer`);
    }
    await finishUnpack(ctx);
    await tarSplit.close();
  } catch (err) {
    tarSplit.abort();
    throw err;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size, tarSize: recordedBytes };
}

/** What waits for all entries: extended attributes, then directory mtimes. */
async function finishUnpack(ctx: UnpackContext): Promise<void> {
  const assignments: XattrAssignment[] = [];
  const dirTimes: Array<[string, Date]> = [];
  for (const [path, info] of ctx.paths.entries()) {
    if (info.xattrs && info.xattrs.size > 0) {
      assignments.push({ path: path === '' ? '.' : path, attrs: info.xattrs });
    }
    if (info.mtime) dirTimes.push([path, info.mtime]);
  }
  await setXattrs(assignments, { cwd: ctx.diffDir, signal: ctx.signal });
  for (const [path, mtime] of dirTimes) await lutimes(absolutePath(ctx, path), mtime, mtime);
  if (ctx.whiteoutTemplate !== undefined) await rm(ctx.whiteoutTemplate);
}

/**
 * Reads a layer tar to its end without unpacking it; returns its diff id (the sha256 of the
 * decompressed bytes).
 */
export async function digestLayerTar(
  source: AsyncIterable<Buffer>,
  options: {
    signal?: AbortSignal | undefined;
    onProgress?: ((bytesRead: number) => void) | undefined;
  } = {},
): Promise<Digest> {
  const hash = createHash('sha256');
  for await (const chunk of decompressed(counted(source, (n) => options.onProgress?.(n)))) {
    options.signal?.throwIfAborted();
    hash.update(chunk);
  }
  return `sha256:${hash.digest('hex')}`;
}
