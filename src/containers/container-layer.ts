import { createReadStream, lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

import type { FilesystemChange, HostConfig } from '../api-types/index.js';
import { createTarWriter, type TarHeaderInput, type TarWriter } from '../archive/index.js';
import type { Layer } from '../layers/index.js';
import type { Digest } from '../oci/index.js';
import type { ContainerContext } from './container-context.js';
import { deviceNumbers } from './rootfs-archive.js';
import { overlayChanges, treeChanges } from './rootfs-changes.js';
import { type RootfsLease, withRootfs } from './rootfs-lease.js';

/**
 * Files the engine places over the container's own (runc's mount points for them end up in
 * the writable layer): left out of `docker diff`, as Docker keeps them in its init layer.
 */
const ENGINE_PATHS = ['/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];

/**
 * The container paths `docker diff` leaves out: what the engine mounts over the container's
 * files (its /etc files, /dev, /proc, /sys) and the container's binds, mounts and tmpfs.
 */
export function diffIgnoredPaths(hostConfig: HostConfig): string[] {
  const binds = (hostConfig.Binds ?? []).map((b) => b.split(':')[1] ?? '');
  const mounts = (hostConfig.Mounts ?? []).map((m) => m.Target ?? '');
  const tmpfs = Object.keys(hostConfig.Tmpfs ?? {});
  return [...ENGINE_PATHS, ...binds, ...mounts, ...tmpfs].filter((p) => p.startsWith('/'));
}

/** A container's changes relative to its image (`docker diff`), under its lease. */
export async function leaseChanges(
  lease: RootfsLease,
  signal?: AbortSignal,
): Promise<FilesystemChange[]> {
  const ignore = diffIgnoredPaths(lease.record.hostConfig);
  if (lease.record.driver === 'vfs') {
    const [base = ''] = await lease.lowerDirs();
    return treeChanges({ tree: lease.paths.rootfs, base, ignore, signal });
  }
  return overlayChanges({
    upperDir: lease.paths.upper,
    lowerDirs: await lease.lowerDirs(),
    ignore,
    signal,
  });
}

const DELETED = 2;

/**
 * The layer of a container's changes (what `docker commit` and a build step record): a tar
 * in Docker's layer format — added and modified paths with their attributes, deletions as
 * `.wh.<name>` whiteouts — registered on `parent` (the image's top chain id). Paths the
 * engine placed (see diffIgnoredPaths) are left out. A running container is frozen meanwhile.
 * Returns undefined when nothing changed: Docker records no layer for an empty diff.
 */
export function commitContainerLayer(
  ctx: ContainerContext,
  id: string,
  parent: Digest | undefined,
  signal?: AbortSignal,
): Promise<Layer | undefined> {
  return withRootfs(ctx, id, { view: 'none' }, async (lease) => {
    const changes = await leaseChanges(lease, signal);
    if (changes.length === 0) return undefined;
    const writer = createTarWriter();
    const tar = (async function* () {
      for await (const chunk of writer.readable) yield chunk as Buffer;
    })();
    const writing = (async () => {
      try {
        for (const change of changes) await addChange(writer, lease.paths.upper, change);
        await writer.finish();
      } catch (err) {
        writer.readable.destroy(err as Error);
      }
    })();
    try {
      return await ctx.images.layers.register(tar, parent, { signal });
    } finally {
      await writing;
    }
  });
}

async function addChange(writer: TarWriter, root: string, change: FilesystemChange) {
  const name = change.Path.replace(/^\/+/, '');
  if (change.Kind === DELETED) {
    const dir = posix.dirname(name);
    const whiteout = posix.join(dir === '.' ? '' : dir, `.wh.${posix.basename(name)}`);
    await writer.add({ name: whiteout, type: 'file', mode: 0, uid: 0, gid: 0, mtime: new Date(0) });
    return;
  }
  const hostPath = posix.join(root, change.Path);
  const info = lstatSync(hostPath, { throwIfNoEntry: false });
  if (!info) return;
  const base = {
    name,
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
    mtime: new Date(Math.floor(info.mtimeMs / 1000) * 1000),
  };
  let header: TarHeaderInput | undefined;
  if (info.isDirectory()) header = { ...base, name: `${name}/`, type: 'directory' };
  else if (info.isSymbolicLink())
    header = { ...base, type: 'symlink', linkname: readlinkSync(hostPath) };
  else if (info.isCharacterDevice())
    header = { ...base, type: 'char', ...deviceNumbers(info.rdev) };
  else if (info.isBlockDevice()) header = { ...base, type: 'block', ...deviceNumbers(info.rdev) };
  else if (info.isFIFO()) header = { ...base, type: 'fifo' };
  else if (info.isFile()) {
    await writer.add({ ...base, type: 'file', size: info.size }, createReadStream(hostPath));
    return;
  }
  if (header) await writer.add(header);
}
