import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';
import { logPathOf } from '../logging/index.js';
import { logConfigOf } from './container-config.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import { type ContainerRecord, ZERO_TIME } from './container-record.js';
import { mountSource } from './container-mounts.js';

/** A container as inspect and list show it: the record plus what moord derives. */
export interface ContainerView {
  record: ContainerRecord;
  paths: ContainerPaths;
  logPath: string;
  execIds: string[];
  graphDriverData: Record<string, string> | null;
  sandboxKey: string;
  sizeRw?: number;
  sizeRootFs?: number;
  /** The container's mounts as inspect shows them (a volume's Source is its data dir). */
  mounts: MountView[];
}

export interface MountView {
  type: string;
  name?: string;
  source: string;
  destination: string;
  driver?: string;
  mode: string;
  rw: boolean;
  propagation: string;
}

/** Bytes of regular files under a directory (the writable layer's size). */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return 0;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await treeSize(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

export async function viewContainer(
  ctx: ContainerContext,
  record: ContainerRecord,
  options: { size: boolean },
): Promise<ContainerView> {
  const paths = ctx.pathsOf(record);
  // Docker shows a LogPath for json-file only, once the container has been started.
  const logType = logConfigOf(record.hostConfig, ctx.defaults).Type;
  const logged = logType === 'json-file' && record.state.startedAt !== ZERO_TIME;
  const image = ctx.images.images.get(record.imageId);
  const lower = image?.topLayer ? await ctx.images.layers.lowerDirs(image.topLayer) : [];
  const view: ContainerView = {
    record,
    paths,
    logPath: logged ? logPathOf(logType, paths.dir, record.id) : '',
    execIds: [...ctx.execs.values()].filter((e) => e.containerId === record.id).map((e) => e.id),
    graphDriverData:
      record.driver === 'vfs'
        ? null
        : {
            LowerDir: lower.join(':'),
            MergedDir: paths.rootfs,
            UpperDir: paths.upper,
            WorkDir: paths.work,
          },
    sandboxKey: record.state.pid > 0 ? `/proc/${record.state.pid}/ns/net` : '',
    mounts: [...(record.mounts ?? [])]
      .sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0))
      .map((m) => ({
        type: m.type,
        ...(m.name !== undefined ? { name: m.name } : {}),
        source: mountSource(ctx, m),
        destination: m.destination,
        ...(m.driver !== undefined ? { driver: m.driver } : {}),
        mode: m.mode,
        rw: m.rw,
        propagation: m.propagation,
      })),
  };
  if (options.size) {
    const rw = record.driver === 'vfs' ? 0 : await treeSize(paths.upper);
    let imageSize = 0;
    for (const chainId of image?.layers ?? []) {
      imageSize += (await ctx.images.layers.get(chainId))?.size ?? 0;
    }
    view.sizeRw = rw;
    view.sizeRootFs = rw + imageSize;
  }
  return view;
}
