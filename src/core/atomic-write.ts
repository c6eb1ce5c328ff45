import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { hasErrno } from './errors.js';

/**
 * Writes `data` to `path` so that readers see either the old content or the new, never a mix:
 * temp file in the same directory → write → fsync → rename → fsync of the directory.
 * A crash at any moment leaves either the old file or the new one (plus, at worst, a stray
 * `.tmp-*` file that loaders ignore).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
  options: {
    /**
     * false: the directory is not synced after the rename. A crash still leaves the old file
     * or the new one, whole; only the change itself may be lost to a power failure.
     */
    syncDirectory?: boolean;
  } = {},
): Promise<void> {
  await replaceFile(path, data, mode, true, options.syncDirectory ?? true);
}

/**
 * Replaces a file whole (temp file + rename) without waiting for the disk: readers never see
 * half a file, but after a power loss it may be older. For files derived from stored state
 * (a container's /etc/hosts), where fsync would cost more than the file is worth.
 */
export async function writeFileReplace(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await replaceFile(path, data, mode, false, false);
}

async function replaceFile(
  path: string,
  data: string | Uint8Array,
  mode: number,
  durable: boolean,
  syncDirectory: boolean,
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.tmp-${basename(path)}-${randomBytes(6).toString('hex')}`);
  const file = await open(tmp, 'wx', mode);
  try {
    await file.writeFile(data);
    if (durable) await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch((e: unknown) => {
      if (!hasErrno(e, 'ENOENT')) throw e;
    });
    throw err;
  }
  if (syncDirectory) await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True for the temp files writeFileAtomic leaves behind after a crash. */
export function isAtomicTempFile(name: string): boolean {
  return name.startsWith('.tmp-');
}
