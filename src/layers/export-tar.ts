import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, internal } from '../core/index.js';
import { cleanEntryPath } from './entry-path.js';
import { readTarSplit, type TarSplitSegment } from './tar-split.js';
import { BODIES_DIR } from './tree-ops.js';
import { DIFF_DIR, TAR_SPLIT_FILE } from './unpack.js';

const CHUNK = 256 * 1024;

async function relocatedBodies(layerDir: string): Promise<Set<number>> {
  try {
    return new Set((await readdir(join(layerDir, BODIES_DIR))).map(Number));
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return new Set();
    throw err;
  }
}

/**
 * Re-creates a layer's tar from its tar-split and files, byte for byte as it was registered.
 * Throws an internal error if a file no longer has the size the archive gave it.
 */
export async function* exportLayerTar(
  layerDir: string,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const relocated = await relocatedBodies(layerDir);
  for await (const segment of readTarSplit(join(layerDir, TAR_SPLIT_FILE), signal)) {
    if (segment.kind === 'raw') yield segment.data;
    else yield* readBody(layerDir, segment, relocated.has(segment.ordinal), signal);
  }
}

async function* readBody(
  layerDir: string,
  segment: Extract<TarSplitSegment, { kind: 'file' }>,
  relocated: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const path = relocated
    ? join(layerDir, BODIES_DIR, String(segment.ordinal))
    : join(layerDir, DIFF_DIR, cleanEntryPath(segment.path));
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let remaining = segment.size;
    while (remaining > 0) {
      signal?.throwIfAborted();
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, remaining));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, segment.size - remaining);
      if (bytesRead === 0) {
        throw internal(`layer file ${segment.path} is shorter than its ${segment.size} bytes`);
      }
      remaining -= bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
