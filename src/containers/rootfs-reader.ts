import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';

import { hasErrno } from '../core/index.js';
import { createLowerView } from './overlay-lower-view.js';
import { resolveInRoot } from './rootfs-path.js';

/** What a container's process setup reads of its root filesystem. */
export interface RootfsReader {
  /** A file's text as the container sees it ('' if there is none). */
  readFile(path: string): Promise<string>;
  /** What is at `path` (symlinks followed): a directory, something else, or nothing. */
  kind(path: string): Promise<'directory' | 'other' | undefined>;
}

/** A path the layer view cannot answer for without following a symlink: mount and read. */
export class NeedsMountedRootfs extends Error {
  constructor(path: string) {
    super(`${path} goes through a symlink`);
    this.name = 'NeedsMountedRootfs';
  }
}

/** Reads a tree mounted at `root` (or a running container's `/proc/<pid>/root`). */
export function mountedRootfsReader(root: string): RootfsReader {
  return {
    async readFile(path) {
      try {
        return await readFile(await resolveInRoot(root, path, { followLast: true }), 'utf8');
      } catch (err) {
        if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return '';
        throw err;
      }
    },
    async kind(path) {
      try {
        const info = await stat(await resolveInRoot(root, path, { followLast: true }));
        return info.isDirectory() ? 'directory' : 'other';
      } catch (err) {
        if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
        throw err;
      }
    },
  };
}

/**
 * Reads the tree overlayfs would show for `layers` (the writable layer first, then the image's,
 * top first) without mounting it. Throws NeedsMountedRootfs when a path meets a symlink.
 */
export function layeredRootfsReader(layers: readonly string[]): RootfsReader {
  const view = createLowerView(layers);
  const locate = async (path: string) => {
    const parts = posix
      .normalize(`/${path}`)
      .split('/')
      .filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) {
      const found = await view.locate(`/${parts.slice(0, i).join('/')}`);
      if (found === undefined) return undefined;
      if (found.info.isSymbolicLink()) throw new NeedsMountedRootfs(path);
      if (i === parts.length) return found;
      if (!found.info.isDirectory()) return undefined;
    }
    return view.locate('/');
  };
  return {
    async readFile(path) {
      const found = await locate(path);
      // Like the lookups, a read on the main thread: these are small files (passwd, group)
      // on a start's critical path, where a trip through the thread pool costs more.
      return found?.info.isFile() ? readFileSync(found.hostPath, 'utf8') : '';
    },
    async kind(path) {
      const found = await locate(path);
      if (found === undefined) return undefined;
      return found.info.isDirectory() ? 'directory' : 'other';
    },
  };
}
