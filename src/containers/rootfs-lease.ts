import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { hasErrno, notFound } from '../core/index.js';
import { bindMount, unmount } from '../sys/index.js';
import { mountSource } from './container-mounts.js';
import { discardCreatedAhead } from './create-ahead.js';
import { resolveInRoot } from './rootfs-path.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import { imageLowerDirs, mountRootfs, mountRootfsReadOnly, unmountRootfs } from './rootfs-mount.js';

/** What a file operation on a container gets while it holds the lease. */
export interface RootfsLease {
  record: ContainerRecord;
  paths: ContainerPaths;
  /** Where the files are seen on the host (see LeaseOptions); '' for the view `none`. */
  root: string;
  /** The image's layer dirs, top first (overlay's lowerdir order; vfs: the image's tree). */
  lowerDirs(): Promise<string[]>;
  /** True when the lease froze the container (it was running); it is thawed after `use`. */
  frozen: boolean;
}

export interface LeaseOptions {
  /**
   * Which tree `root` shows:
   * - `container`: what the container's processes see, its mounts included (a running
   *   container's `/proc/<pid>/root`); `docker cp` both ways.
   * - `layers`: the container's own files only (a running one's layers mounted read-only
   *   beside it); `docker export`.
   * - `none`: no tree; `docker diff` reads the layers themselves.
   * A stopped container's root filesystem is mounted for `container` and `layers`, and
   * unmounted after the operation.
   */
  view: 'container' | 'layers' | 'none';
  /**
   * Freeze a running container (default true). Only `docker commit --pause=false` goes without:
   * it reads the layers themselves (`none`) and checks that each file it opens is inside them.
   */
  freeze?: boolean;
}

function isLive(record: ContainerRecord): boolean {
  return record.state.status === 'running' || record.state.status === 'paused';
}

/**
 * Runs `use` on a container's files (`docker cp`, `diff`, `export`), running or not, and
 * releases everything after it, whether it succeeds or throws:
 *
 * - The container's lock is held throughout, as Docker holds its container lock until an
 *   archive is read: the container cannot start, stop, be removed or exit-handled meanwhile,
 *   so a temporary mount never meets the runtime's own.
 * - A running container is frozen (cgroup freezer, without changing its recorded state) and
 *   thawed after; one the user paused stays paused. No process of the container can then swap
 *   a checked directory for a symlink while paths are resolved and used (CVE-2018-15664).
 *
 * Throws NotFound when the container is gone by the time the lock is taken.
 */
export function withRootfs<T>(
  ctx: ContainerContext,
  id: string,
  options: LeaseOptions,
  use: (lease: RootfsLease) => Promise<T>,
): Promise<T> {
  return ctx.locks.run(id, async () => {
    const record = ctx.store.get(id);
    if (!record) throw notFound(`No such container: ${id}`);
    // A process created ahead holds the container's overlay in its own mount namespace.
    await discardCreatedAhead(ctx, id);
    const paths = ctx.pathsOf(record);
    const topLayer = ctx.images.images.get(record.imageId)?.topLayer;
    const live = isLive(record) && record.state.pid > 0;
    const peek = join(paths.dir, 'peek');
    // How `root` is provided: nothing to do, a mount of the stopped rootfs, or a read-only one.
    const mount =
      options.view === 'none' || ctx.driver === 'vfs'
        ? undefined
        : !live
          ? 'rootfs'
          : options.view === 'layers'
            ? 'peek'
            : undefined;
    const root =
      options.view === 'none'
        ? ''
        : live && options.view === 'container'
          ? `/proc/${record.state.pid}/root`
          : mount === 'peek'
            ? peek
            : paths.rootfs;
    const frozen =
      options.freeze !== false && record.state.status === 'running' && (await freeze(ctx, id));
    const lease: RootfsLease = {
      record,
      paths,
      root,
      lowerDirs: () => imageLowerDirs(ctx, paths, topLayer),
      frozen,
    };
    // A stopped container's binds and volumes are mounted into its files for `docker cp`, as
    // Docker mounts them: what the container would see there.
    const withMounts = !live && options.view === 'container';
    let binds: string[] = [];
    try {
      if (mount === 'rootfs') await mountRootfs(ctx, paths, topLayer);
      if (mount === 'peek') await mountRootfsReadOnly(ctx, paths, topLayer, peek);
      if (withMounts) binds = await mountVolumesInto(ctx, record, paths.rootfs);
      return await use(lease);
    } finally {
      for (const target of binds.reverse()) await unmount(target, { detach: true });
      if (mount === 'rootfs') await unmountRootfs(ctx, paths);
      if (mount === 'peek') await unmountRootfs(ctx, paths, peek);
      if (frozen) await thaw(ctx, id);
    }
  });
}

/**
 * Binds a stopped container's bind and volume mounts into its mounted root filesystem (tmpfs
 * mounts have no content then), parents first; returns the mount points made.
 */
async function mountVolumesInto(
  ctx: ContainerContext,
  record: ContainerRecord,
  root: string,
): Promise<string[]> {
  const made: string[] = [];
  const mounts = (record.mounts ?? [])
    .filter((m) => m.type !== 'tmpfs')
    .sort((a, b) => a.destination.split('/').length - b.destination.split('/').length);
  try {
    for (const m of mounts) {
      const source = mountSource(ctx, m);
      const info = await stat(source).catch((err: unknown) => {
        if (hasErrno(err, 'ENOENT')) return undefined;
        throw err;
      });
      if (!info) continue;
      const target = await resolveInRoot(root, m.destination, { followLast: true });
      if (info.isDirectory()) await mkdir(target, { recursive: true });
      else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, '', { flag: 'a' });
      }
      await bindMount(source, target, !m.rw);
      made.push(target);
    }
  } catch (err) {
    for (const target of made.reverse()) await unmount(target, { detach: true });
    throw err;
  }
  return made;
}

/**
 * Freezes a running container; false when there was nothing to freeze (its process ended
 * just now: the exit is handled once the lock is released) or the runtime could not freeze it
 * (the operation then goes on unfrozen, as Docker's always does, and a warning is logged).
 */
async function freeze(ctx: ContainerContext, id: string): Promise<boolean> {
  try {
    await ctx.runc.pause(id);
    return true;
  } catch (err) {
    const state = await ctx.runc.state(id);
    if (state !== undefined && state.status !== 'stopped') {
      ctx.logger.warn('cannot freeze the container for a file operation', {
        id,
        error: (err as Error).message,
      });
    }
    return false;
  }
}

async function thaw(ctx: ContainerContext, id: string): Promise<void> {
  try {
    await ctx.runc.resume(id);
  } catch (err) {
    const state = await ctx.runc.state(id);
    if (state === undefined || state.status === 'stopped') return;
    ctx.logger.error('thawing a container after a file operation failed', {
      id,
      error: (err as Error).message,
    });
  }
}
