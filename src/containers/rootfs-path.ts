import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';

import { hasErrno, invalidArgument } from '../core/index.js';

/** Symlinks followed in one resolution before it fails (as Linux's ELOOP, with a bigger budget). */
export const MAX_SYMLINK_HOPS = 255;

/**
 * Resolves a path inside a container's root filesystem as the container would see it: symlinks
 * are followed with the rootfs as `/` (absolute targets start at the rootfs, `..` stops at its
 * root), so no path — however crafted — resolves outside `root`. As in Docker, `..` in `path`
 * itself is applied lexically first; in link targets it climbs from the link's directory.
 * `followLast` decides whether a symlink as the last element is followed. Missing elements (and
 * elements under a non-directory) are kept as they are, so the result may not exist.
 * Throws invalidArgument ('too many levels of symbolic links') after MAX_SYMLINK_HOPS links.
 *
 * The result is only as good as the tree stays: a process of a running container can swap a
 * directory for a symlink after it was checked. Callers writing into a live rootfs pause the
 * container first, as Docker does for `docker cp`.
 */
export async function resolveInRoot(
  root: string,
  path: string,
  options: { followLast: boolean },
): Promise<string> {
  let pending = splitPath(posix.normalize(`/${path}`));
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const isLast = pending.length === 0;
    const target =
      isLast && !options.followLast ? undefined : await linkTarget(root, resolved, part);
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) {
      throw invalidArgument(`too many levels of symbolic links: ${path}`);
    }
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...splitPath(target), ...pending];
  }
  return posix.join(root, ...resolved);
}

/** The target of `root/resolved/part` if it is a symlink; undefined otherwise or if missing. */
async function linkTarget(root: string, resolved: string[], part: string) {
  const candidate = posix.join(root, ...resolved, part);
  try {
    const info = await lstat(candidate);
    return info.isSymbolicLink() ? await readlink(candidate) : undefined;
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

/** The container's view of a host path under `root` (as resolveInRoot returns): `/etc/hosts`. */
export function containerPathOf(root: string, hostPath: string): string {
  const relative = posix.relative(root, hostPath);
  if (relative === '..' || relative.startsWith('../') || posix.isAbsolute(relative)) {
    throw invalidArgument(`${hostPath} is not inside ${root}`);
  }
  return `/${relative}`;
}
