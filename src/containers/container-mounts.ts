import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { ContainerConfig, HostConfig } from '../api-types/index.js';
import { hasErrno, invalidArgument, notFound, pathExists } from '../core/index.js';
import type { Digest } from '../oci/index.js';
import type { OciMount } from '../runtime/index.js';
import { copyTree } from '../sys/index.js';
import { validateVolumeName } from '../volumes/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import {
  type MountPoint,
  cleanPath,
  parseBind,
  parseMountSpec,
  parseVolumesFrom,
  tmpfsData,
} from './mount-point.js';
import { mountRootfsReadOnly, unmountRootfs } from './rootfs-mount.js';
import { resolveInRoot } from './rootfs-path.js';

function duplicate(destination: string) {
  return invalidArgument(`Duplicate mount point: ${destination}`);
}

/** `--volumes-from`: the other container's mounts (no copy-up; `ro` makes them read-only). */
function mountsFrom(ctx: ContainerContext, spec: string): MountPoint[] {
  const { container: ref, rw } = parseVolumesFrom(spec);
  const other = ctx.store
    .all()
    .find((r) => r.id === ref || r.name === ref.replace(/^\//, '') || r.id.startsWith(ref));
  // Docker answers 400 here, so the docker CLI does not take it for a missing image.
  if (!other || ref === '') throw invalidArgument(`No such container: ${ref}`);
  return (other.mounts ?? []).map((m) => ({ ...m, rw: m.rw && rw, mode: '', copyData: false }));
}

/**
 * The container's mounts, decided at create as Docker decides them: `--volumes-from` first,
 * then `-v` binds and volumes, then `--mount` (a destination given twice among those two is
 * Docker's "Duplicate mount point"), then an anonymous volume for each Config.Volumes path
 * (`-v /path`, the image's VOLUME) not mounted otherwise. Throws before anything is created.
 */
export async function planMounts(
  ctx: ContainerContext,
  config: ContainerConfig,
  hostConfig: HostConfig,
): Promise<MountPoint[]> {
  const byDestination = new Map<string, MountPoint>();
  for (const spec of hostConfig.VolumesFrom ?? []) {
    for (const m of mountsFrom(ctx, spec)) byDestination.set(m.destination, m);
  }
  const given = new Set<string>();
  const add = (m: MountPoint) => {
    if (given.has(m.destination)) throw duplicate(m.destination);
    given.add(m.destination);
    byDestination.set(m.destination, m);
  };
  const tmpfs = new Set(Object.keys(hostConfig.Tmpfs ?? {}).map(cleanPath));
  for (const bind of hostConfig.Binds ?? []) {
    const m = parseBind(bind);
    if (tmpfs.has(m.destination)) throw duplicate(m.destination);
    add(m);
  }
  for (const spec of hostConfig.Mounts ?? []) {
    const m = parseMountSpec(spec);
    if (given.has(m.destination)) throw duplicate(spec.Target ?? m.destination);
    add(m);
  }
  for (const path of Object.keys(config.Volumes ?? {})) {
    const destination = cleanPath(path);
    if (!path.startsWith('/')) {
      throw invalidArgument(
        `invalid volume specification: '${path}': invalid mount config for type "volume": invalid mount path: '${path}' mount path must be absolute`,
      );
    }
    if (byDestination.has(destination)) continue;
    byDestination.set(destination, {
      type: 'volume',
      source: '',
      destination,
      driver: 'local',
      mode: '',
      rw: true,
      propagation: '',
      copyData: true,
    });
  }
  const mounts = [...byDestination.values()];
  for (const m of mounts) {
    if (m.type === 'bind' && !m.createSource && !(await pathExists(m.source))) {
      throw missingSource(m.source);
    }
    if (m.type !== 'volume') continue;
    if (m.name !== undefined && !m.name.startsWith('/')) validateVolumeName(m.name);
    if (m.driver !== 'local') {
      throw notFound(`error looking up volume plugin ${m.driver}: plugin "${m.driver}" not found`);
    }
  }
  return mounts;
}

/**
 * Creates the volumes the planned mounts name (and anonymous ones) and registers the
 * container as their user; returns the mounts with every volume named.
 */
export async function claimMounts(
  ctx: ContainerContext,
  id: string,
  planned: readonly MountPoint[],
): Promise<MountPoint[]> {
  const volumeMounts = planned.filter((m) => m.type === 'volume');
  if (volumeMounts.length === 0) return [...planned];
  if (!ctx.volumes) throw invalidArgument('volumes are not available');
  const records = await ctx.volumes.claim(
    id,
    volumeMounts.map((m) => ({
      ...(m.name ? { name: m.name } : {}),
      ...(m.volumeOptions?.labels ? { labels: m.volumeOptions.labels } : {}),
      ...(m.volumeOptions?.driverOpts ? { driverOpts: m.volumeOptions.driverOpts } : {}),
    })),
  );
  let next = 0;
  return planned.map((m) => {
    if (m.type !== 'volume') return m;
    const stored: MountPoint = { ...m, name: records[next++]?.name ?? '' };
    delete stored.volumeOptions;
    return stored;
  });
}

/** The host path a mount shows as Source (a volume's data dir). */
export function mountSource(ctx: ContainerContext, m: MountPoint): string {
  return m.type === 'volume' && m.name && ctx.volumes ? ctx.volumes.dataDir(m.name) : m.source;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return true;
    throw err;
  }
}

/**
 * Docker's copy-up: an empty volume mounted with copyData gets what the container's files
 * hold at its destination (ownership and modes kept, the volume's root taking the directory's
 * owner and mode). The container's layers are mounted read-only beside it for the copy.
 */
async function copyUp(
  ctx: ContainerContext,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
  targets: ReadonlyArray<{ destination: string; dir: string }>,
): Promise<void> {
  const pending: Array<{ destination: string; dir: string }> = [];
  for (const t of targets) if (await isEmptyDir(t.dir)) pending.push(t);
  if (pending.length === 0) return;
  const vfs = ctx.driver === 'vfs';
  const root = vfs ? paths.rootfs : join(paths.dir, 'copy-up');
  if (!vfs) await mountRootfsReadOnly(ctx, paths, topLayer, root);
  try {
    for (const t of pending) {
      const source = await resolveInRoot(root, t.destination, { followLast: true });
      const info = await stat(source).catch((err: unknown) => {
        if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
        throw err;
      });
      if (info?.isDirectory()) await copyTree(source, t.dir);
    }
  } finally {
    if (!vfs) await unmountRootfs(ctx, paths, root);
  }
}

/**
 * The runtime mounts of a starting container's binds, volumes and `--mount` tmpfs: missing
 * `-v` bind sources are created (a `--mount` one is Docker's error), volumes are acquired
 * (mounted when they carry `type/device/o`) and copied up into when empty. The volumes
 * acquired are recorded as held, to be released when the container stops.
 */
export async function runtimeMounts(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
  topLayer: Digest | undefined,
): Promise<OciMount[]> {
  const mounts: OciMount[] = [];
  const copies: Array<{ destination: string; dir: string }> = [];
  const held: string[] = [];
  try {
    for (const m of record.mounts ?? []) {
      const ro = m.rw ? [] : ['ro'];
      if (m.type === 'tmpfs') {
        const data = tmpfsData(m);
        mounts.push({
          destination: m.destination,
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['noexec', 'nosuid', 'nodev', ...(data ? data.split(',') : [])],
        });
        continue;
      }
      let source = m.source;
      if (m.type === 'volume') {
        if (!ctx.volumes || !m.name) throw invalidArgument('volumes are not available');
        source = await ctx.volumes.acquire(m.name);
        held.push(m.name);
        ctx.publish?.({
          type: 'volume',
          action: 'mount',
          actor: {
            id: m.name,
            attributes: {
              container: record.id,
              destination: m.destination,
              driver: m.driver ?? 'local',
              propagation: m.propagation,
              'read/write': String(m.rw),
            },
          },
        });
        if (m.copyData) copies.push({ destination: m.destination, dir: source });
      } else {
        await ensureBindSource(m);
      }
      const propagation = m.propagation || 'rprivate';
      mounts.push({
        destination: m.destination,
        type: 'bind',
        source,
        options: ['rbind', ...ro, propagation],
      });
    }
    if (copies.length > 0) await copyUp(ctx, paths, topLayer, copies);
  } catch (err) {
    for (const name of held) await ctx.volumes?.release(name);
    throw err;
  }
  ctx.liveOf(record.id).volumesHeld = held;
  return mounts;
}

/** Docker's error for a `--mount` bind whose source is missing. */
function missingSource(source: string) {
  return invalidArgument(
    `invalid mount config for type "bind": bind mount source path does not exist: ${source}`,
  );
}

/** A `-v` bind's missing source is created as a directory; a `--mount` one is an error. */
async function ensureBindSource(m: MountPoint): Promise<void> {
  if (await pathExists(m.source)) return;
  if (!m.createSource) throw missingSource(m.source);
  await mkdir(m.source, { recursive: true, mode: 0o755 });
}

/** Releases the volumes a container held while it ran (after it stopped). */
export async function releaseMounts(ctx: ContainerContext, id: string): Promise<void> {
  const live = ctx.live.get(id);
  const held = live?.volumesHeld ?? [];
  if (live) live.volumesHeld = undefined;
  for (const name of held) {
    await ctx.volumes?.release(name);
    ctx.publish?.({
      type: 'volume',
      action: 'unmount',
      actor: { id: name, attributes: { container: id, driver: 'local' } },
    });
  }
}

/** A running container found at daemon start holds its volumes again (mounts are adopted). */
export async function reacquireMounts(
  ctx: ContainerContext,
  record: ContainerRecord,
): Promise<void> {
  const held: string[] = [];
  for (const name of volumeNamesOf(record)) {
    try {
      await ctx.volumes?.acquire(name);
      held.push(name);
    } catch (err) {
      ctx.logger.warn('a running container’s volume is unavailable', {
        id: record.id,
        volume: name,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  ctx.liveOf(record.id).volumesHeld = held;
}

/** The names of the volumes a stored container references. */
export function volumeNamesOf(record: ContainerRecord): string[] {
  return (record.mounts ?? []).flatMap((m) => (m.type === 'volume' && m.name ? [m.name] : []));
}
