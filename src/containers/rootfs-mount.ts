import { mkdir } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';
import type { Digest } from '../oci/index.js';
import { copyTree, mountOverlay, readMounts, unmount } from '../sys/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';

async function isMountPoint(path: string): Promise<boolean> {
  return (await readMounts()).some((m) => m.target === path);
}

/**
 * Prepares the container's writable layer at create: overlay → empty upper/work/merged dirs;
 * vfs → a full copy of the image's tree (the container's own files from then on).
 */
export async function prepareRootfs(
  ctx: ContainerContext,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
): Promise<void> {
  if (ctx.driver === 'vfs') {
    await mkdir(paths.rootfs, { recursive: true, mode: 0o755 });
    const lower = topLayer ? await ctx.images.layers.lowerDirs(topLayer) : [];
    if (lower[0] !== undefined) await copyTree(lower[0], paths.rootfs);
    return;
  }
  for (const dir of [paths.upper, paths.work, paths.rootfs]) {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  }
}

/** Mounts the container's root filesystem (overlay) if it is not mounted yet. */
export async function mountRootfs(
  ctx: ContainerContext,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
): Promise<void> {
  if (ctx.driver === 'vfs') return;
  if (await isMountPoint(paths.rootfs)) return;
  let lowerDirs = topLayer ? await ctx.images.layers.lowerDirs(topLayer) : [];
  if (lowerDirs.length === 0) {
    const empty = `${paths.dir}/empty`;
    await mkdir(empty, { recursive: true });
    lowerDirs = [empty];
  }
  await mountOverlay({
    lowerDirs,
    upperDir: paths.upper,
    workDir: paths.work,
    target: paths.rootfs,
  });
}

/** Unmounts the root filesystem (overlay); a no-op when it is not mounted. */
export async function unmountRootfs(ctx: ContainerContext, paths: ContainerPaths): Promise<void> {
  if (ctx.driver === 'vfs') return;
  try {
    if (!(await isMountPoint(paths.rootfs))) return;
    await unmount(paths.rootfs, { detach: true });
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
}
