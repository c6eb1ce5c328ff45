import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Digest } from '../oci/index.js';
import {
  copyTree,
  isMountPoint,
  isMountPointSync,
  mountOverlay,
  overlayVolatileSupported,
  plainOverlayMountData,
  unmount,
} from '../sys/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';

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
  // In the container's directory, made just before: one mkdir each, made at once (a trip
  // through the thread pool costs more than such a change of metadata).
  for (const dir of [paths.upper, paths.work, paths.rootfs]) mkdirSync(dir, { mode: 0o755 });
}

/** The image's layer dirs, top first; an empty directory for an image without layers. */
export async function imageLowerDirs(
  ctx: ContainerContext,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
): Promise<string[]> {
  const dirs = topLayer ? await ctx.images.layers.lowerDirs(topLayer) : [];
  if (dirs.length > 0) return dirs;
  const empty = join(paths.dir, 'empty');
  await mkdir(empty, { recursive: true });
  return [empty];
}

/** An overlay mount as the OCI runtime config gives it. */
export interface RootfsSpecMount {
  type: 'overlay';
  source: 'overlay';
  options: string[];
}

/**
 * The container's overlay (`lowerDirs` from imageLowerDirs) as a mount the runtime makes on
 * the rootfs directory inside the container's mount namespace: it goes away with the
 * container's last process, without a mount or unmount on the host. Undefined for vfs, and
 * for layer stacks whose mount data does not fit as absolute paths (those are mounted on the
 * host: `mountRootfs`).
 *
 * `volatile` (for containers removed when they exit) mounts with overlayfs's `volatile`: its
 * unmount then does not sync the whole file system under the writable layer, which otherwise
 * delays every exit. Such a layer does not survive a host crash; the kernel marks its work
 * dir (`volatileMarker`) and refuses to mount it again until the mark is removed.
 */
export function rootfsSpecMount(
  ctx: ContainerContext,
  paths: ContainerPaths,
  lowerDirs: readonly string[],
  options: { volatile?: boolean } = {},
): RootfsSpecMount | undefined {
  if (ctx.driver === 'vfs') return undefined;
  const data = plainOverlayMountData({
    lowerDirs,
    upperDir: paths.upper,
    workDir: paths.work,
    ...(options.volatile && overlayVolatileSupported() ? { extraOptions: ['volatile'] } : {}),
  });
  return data === undefined
    ? undefined
    : { type: 'overlay', source: 'overlay', options: data.split(',') };
}

/** What overlayfs leaves in a volatile mount's work dir; it must go before the next mount. */
export function volatileMarker(paths: ContainerPaths): string {
  return join(paths.work, 'work', 'incompat', 'volatile');
}

/** Mounts the container's root filesystem (overlay) on the host if it is not mounted yet. */
export async function mountRootfs(
  ctx: ContainerContext,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
): Promise<void> {
  if (ctx.driver === 'vfs') return;
  if (await isMountPoint(paths.rootfs)) return;
  await mountOverlay({
    lowerDirs: await imageLowerDirs(ctx, paths, topLayer),
    upperDir: paths.upper,
    workDir: paths.work,
    target: paths.rootfs,
  });
}

/**
 * Mounts the container's layers read-only on `target`: the writable layer as the top lower
 * dir. For reading a running container's own files beside the runtime's read-write mount.
 */
export async function mountRootfsReadOnly(
  ctx: ContainerContext,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
  target: string,
): Promise<void> {
  await mkdir(target, { recursive: true });
  await mountOverlay({
    lowerDirs: [paths.upper, ...(await imageLowerDirs(ctx, paths, topLayer))],
    target,
  });
}

/** Unmounts a host mount of the root filesystem (or `target`); a no-op when not mounted. */
export async function unmountRootfs(
  ctx: ContainerContext,
  paths: ContainerPaths,
  target = paths.rootfs,
): Promise<void> {
  if (ctx.driver === 'vfs') return;
  // Usually nothing is mounted there (runc mounts the layers in the container's namespace).
  if (!isMountPointSync(target)) return;
  await unmount(target, { detach: true });
}
