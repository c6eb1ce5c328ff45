import { type Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';

/** A device node of the host, as a privileged container gets it. */
export interface HostDevice {
  /** 'c' (character) or 'b' (block). */
  type: 'c' | 'b';
  path: string;
  major: number;
  minor: number;
  /** Permission bits of the node. */
  fileMode: number;
  uid: number;
  gid: number;
}

/** Directories under /dev that are per-container mounts or runtime state, never copied. */
const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** Linux's dev_t encoding: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31. */
export function splitDeviceNumber(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

function deviceOf(path: string, info: Stats): HostDevice | undefined {
  const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : undefined;
  if (!type) return undefined;
  return {
    type,
    path,
    ...splitDeviceNumber(info.rdev),
    fileMode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
  };
}

/**
 * Every character and block device under `root` (default /dev), as Docker gives privileged
 * containers: the console and the per-container directories (pts, shm, mqueue...) excluded.
 */
export async function hostDevices(root = '/dev'): Promise<HostDevice[]> {
  const found: HostDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'EACCES', 'ENOTDIR')) return;
      throw err;
    }
    for (const name of names) {
      const path = join(dir, name);
      let info: Stats;
      try {
        info = await lstat(path);
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) continue;
        throw err;
      }
      if (info.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) await walk(path);
        continue;
      }
      if (path === join(root, 'console')) continue;
      const device = deviceOf(path, info);
      if (device) found.push(device);
    }
  };
  await walk(root);
  return found;
}

/**
 * The device numbers of the block devices at `paths` (following links, as dockerd's stat
 * does): missing paths and other file types are left out.
 */
export async function blockDeviceNumbers(
  paths: readonly string[],
): Promise<Record<string, { major: number; minor: number }>> {
  const out: Record<string, { major: number; minor: number }> = {};
  for (const path of new Set(paths)) {
    try {
      const info = await stat(path);
      if (info.isBlockDevice()) out[path] = splitDeviceNumber(info.rdev);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    }
  }
  return out;
}
