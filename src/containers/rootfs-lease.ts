import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { notFound } from '../core/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import { mountRootfs, unmountRootfs } from './rootfs-mount.js';

/** What a file operation on a container gets while it holds the lease. */
export interface RootfsLease {
  record: ContainerRecord;
  paths: ContainerPaths;
  /** The image's layer dirs, top first (overlay's lowerdir order; vfs: the image's tree). */
  lowerDirs(): Promise<string[]>;
}

export interface LeaseOptions {
  /**
   * Whether the merged root filesystem must be visible at `paths.rootfs`: a stopped
   * container's is mounted for the operation and unmounted after it. `docker diff` reads the
   * layers themselves and needs no mount.
   */
  mount: boolean;
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
 * - A stopped container's root filesystem is mounted if `mount` asks for it, and unmounted.
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
    const paths = ctx.pathsOf(record);
    const topLayer = ctx.images.images.get(record.imageId)?.topLayer;
    const lease: RootfsLease = {
      record,
      paths,
      lowerDirs: async () => {
        const dirs = topLayer ? await ctx.images.layers.lowerDirs(topLayer) : [];
        return dirs.length > 0 ? dirs : [await emptyLayer(paths)];
      },
    };
    const live = isLive(record);
    const frozen = record.state.status === 'running' && (await freeze(ctx, id));
    const mounted = !live && options.mount;
    try {
      if (mounted) await mountRootfs(ctx, paths, topLayer);
      return await use(lease);
    } finally {
      if (mounted) await unmountRootfs(ctx, paths);
      if (frozen) await thaw(ctx, id);
    }
  });
}

/** An empty directory standing for the layers of an image without any. */
async function emptyLayer(paths: ContainerPaths): Promise<string> {
  const empty = join(paths.dir, 'empty');
  await mkdir(empty, { recursive: true });
  return empty;
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
