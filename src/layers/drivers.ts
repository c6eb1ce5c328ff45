import { chmod, mkdir } from 'node:fs/promises';

import { copyTree } from '../sys/index.js';
import type { UnpackMode } from './tree-ops.js';

/**
 * Storage drivers, as Docker names them. overlay2: each layer's diff dir holds only what its tar
 * changed (overlayfs whiteouts included) and a container's rootfs stacks the diff dirs of its
 * chain. vfs: each layer's diff dir is the complete tree of its chain (a copy of the parent's
 * with the tar applied), which works on any file system and without overlayfs.
 */
export type StorageDriver = 'overlay2' | 'vfs';

export const STORAGE_DRIVERS: readonly StorageDriver[] = ['overlay2', 'vfs'];

export function unpackModeOf(driver: StorageDriver): UnpackMode {
  return driver === 'overlay2' ? 'overlay' : 'vfs';
}

/** Creates a new layer's diff dir: empty, or for vfs a copy of the parent's tree. */
export async function prepareDiffDir(options: {
  driver: StorageDriver;
  diffDir: string;
  parentDiffDir: string | undefined;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  if (options.driver === 'vfs' && options.parentDiffDir !== undefined) {
    await copyTree(options.parentDiffDir, options.diffDir, options.signal);
    return;
  }
  await mkdir(options.diffDir, { mode: 0o755 });
  await chmod(options.diffDir, 0o755);
}
