import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

import { type ContainerService, isUp } from '../containers/index.js';
import { hasErrno } from '../core/index.js';
import { type Images, unusedLayers } from '../images/index.js';
import { readMounts, unmount } from '../sys/index.js';
import type { VolumeService } from '../volumes/index.js';

/** What a crash can leave behind that nothing refers to. */
export interface StoreLeftovers {
  /** Chain ids of layers no image uses. */
  layers: string[];
  /** Mount points under the data or exec root that no running container or volume needs. */
  mounts: string[];
  /** Empty cgroup directories (`…/moor/<id>`) of containers that do not run. */
  cgroups: string[];
  /** The runtime's state of containers that do not run (ids). */
  runtimeStates: string[];
}

export interface StoreCheckParts {
  images: Images;
  containers: ContainerService;
  volumes: VolumeService;
  dataRoot: string;
  execRoot: string;
}

/** How many processes a cgroup holds (0 when it is gone). */
async function processesIn(dir: string): Promise<number> {
  try {
    return (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).length;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return 0;
    throw err;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
}

/**
 * Finds (and with `fix` removes) what a crash left dirty: unused layers, stray mounts under
 * the engine's directories (a stopped container's rootfs, a copy-up or export view, a volume's
 * `type/device/o` mount nobody uses), cgroups and runtime state of containers not running.
 * Running containers and volumes in use are never touched.
 */
export async function checkStore(parts: StoreCheckParts, fix: boolean): Promise<StoreLeftovers> {
  const { ctx } = parts.containers;
  const running = (id: string) => {
    const status = ctx.store.get(id)?.state.status;
    return status !== undefined && isUp(status);
  };
  const layers = await unusedLayers(parts.images.images, parts.images.layers, parts.images.pinned);

  // Volume mounts a running container uses stay; so do mounts inside running containers.
  const needed = new Set<string>();
  for (const volume of parts.volumes.list({})) {
    const users = parts.volumes.usersOf(volume.name);
    if (users.some(running)) needed.add(parts.volumes.dataDir(volume.name));
  }
  const roots = [parts.dataRoot, parts.execRoot].map((r) => r.replace(/\/+$/, '') + '/');
  const mounts = (await readMounts())
    .map((m) => m.target)
    .filter((target) => roots.some((root) => target.startsWith(root)) && !needed.has(target))
    .filter((target) => !ctx.store.all().some((r) => running(r.id) && target.includes(r.id)));

  // The cgroups of containers that just ended are on their way out: not leftovers.
  await ctx.runc.settle();
  const cgroupRoots =
    ctx.cgroups.version === 1
      ? [...new Set(ctx.cgroups.v1Controllers.values())]
      : [ctx.cgroups.unifiedRoot ?? '/sys/fs/cgroup'];
  // Every moord on the host shares `…/moor/`: only empty cgroups (no process left in them)
  // can be a crash's leftovers; another engine's live containers always have processes.
  const cgroups: string[] = [];
  for (const root of cgroupRoots) {
    for (const id of await entries(join(root, 'moor'))) {
      if (!/^[0-9a-f]{64}$/.test(id) || running(id)) continue;
      const dir = join(root, 'moor', id);
      if ((await processesIn(dir)) === 0) cgroups.push(dir);
    }
  }
  // A created container's process made ahead of its start (create-ahead.ts) is not a leftover.
  const runtimeStates = (await entries(ctx.dirs.runcRoot)).filter(
    (id) => /^[0-9a-f]{64}$/.test(id) && !running(id) && !ctx.live.get(id)?.createdAhead,
  );

  if (fix) {
    for (const target of [...mounts].reverse()) await unmount(target, { detach: true });
    for (const id of runtimeStates) await ctx.runc.delete(id, true);
    for (const dir of cgroups) {
      await rmdir(dir).catch((err: unknown) => {
        if (!hasErrno(err, 'ENOENT', 'EBUSY')) throw err;
      });
    }
    for (const layer of layers) await parts.images.layers.remove(layer.chainId);
  }
  return { layers: layers.map((l) => l.chainId), mounts, cgroups, runtimeStates };
}
