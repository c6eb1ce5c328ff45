import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { hasErrno } from '../core/index.js';
import { runHostCommand } from './host-command.js';
import { readMounts } from './mounts.js';

export interface FilesystemMount {
  /** mount(8)'s `-t` ('' lets mount guess). */
  type: string;
  /** What is mounted: a device, `tmpfs`, a host path with `o=bind`... */
  device: string;
  /** mount(8)'s `-o` ('' for none). */
  options: string;
  target: string;
}

/** Mounts a file system as mount(8) does (for the local volume driver's options). */
export async function mountFilesystem(mount: FilesystemMount): Promise<void> {
  const args = [
    ...(mount.type ? ['-t', mount.type] : []),
    ...(mount.options ? ['-o', mount.options] : []),
    '--',
    mount.device,
    mount.target,
  ];
  await runHostCommand('mount', args, { packageName: 'mount' });
}

/**
 * Whether `path` is a mount point of another file system than its parent directory's
 * (overlay, tmpfs...): one stat each, no mount table. A missing path is not.
 */
export async function isMountPoint(path: string): Promise<boolean> {
  try {
    const [self, parent] = await Promise.all([stat(path), stat(dirname(path))]);
    return self.dev !== parent.dev;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/**
 * isMountPoint at once, for the engine's own directories (a container's rootfs under the data
 * root, whose inodes are in the cache): two stats cost less than a round trip through the
 * thread pool.
 */
export function isMountPointSync(path: string): boolean {
  try {
    return statSync(path).dev !== statSync(dirname(path)).dev;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Whether anything is mounted on `path`, a bind of the same file system included. */
export async function isMountedOn(path: string): Promise<boolean> {
  if (await isMountPoint(path)) return true;
  return (await readMounts()).some((m) => m.target === path);
}

/** Bind-mounts `source` on `target` (read-only when asked), as `mount --bind` does. */
export async function bindMount(source: string, target: string, readonly: boolean): Promise<void> {
  await runHostCommand('mount', ['--bind', '--', source, target], { packageName: 'mount' });
  if (readonly) {
    await runHostCommand('mount', ['-o', 'remount,bind,ro', '--', target], {
      packageName: 'mount',
    });
  }
}
