/**
 * A minimal root filesystem around the host's static busybox (Debian's busybox-static): the
 * binary at /bin/busybox, every applet it lists as a hard link to it, the usual top-level
 * directories, and /etc/passwd and /etc/group with root, daemon and nobody. `moor bootstrap`
 * imports it as busybox:latest, so a fresh engine has an image without a registry.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';

import type { TarWriter } from '../archive/index.js';
import { hasErrno } from '../core/index.js';

export const BUSYBOX_PATH = '/bin/busybox';
const BUSYBOX_ENTRY = 'bin/busybox';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'nobody:x:65534:65534:nobody:/home:/bin/false',
  '',
].join('\n');

const GROUP = ['root:x:0:', 'daemon:x:1:', 'nobody:x:65534:', ''].join('\n');

/** Top-level directories and their modes. */
const DIRECTORIES: readonly [string, number][] = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['home', 0o755],
  ['proc', 0o755],
  ['root', 0o700],
  ['sys', 0o755],
  ['tmp', 0o1777],
  ['usr', 0o755],
  ['var', 0o755],
];

const PT_INTERP = 3;

/**
 * True when the ELF file at `path` has no program interpreter (it runs without a dynamic
 * loader, as it must inside an image that has none). Throws for a file that is not ELF.
 */
export async function isStaticElf(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    await file.read(head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path} is not an ELF executable`);
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const phoff = is64
      ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32))
      : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    await file.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (u32(table, i * phentsize) === PT_INTERP) return false;
    }
    return true;
  } finally {
    await file.close();
  }
}

/** The applets' paths as `busybox --list-full` prints them (`bin/sh`, `usr/bin/[`). */
export async function busyboxApplets(busybox: string, signal?: AbortSignal): Promise<string[]> {
  const { stdout } = await promisify(execFile)(busybox, ['--list-full'], { signal });
  return stdout
    .split('\n')
    .map((line) => posix.normalize(line.trim()).replace(/^\/+/, ''))
    .filter((line) => line !== '' && line !== '.' && !line.startsWith('..'));
}

export interface RootfsSpec {
  /** The static busybox binary on the host. */
  busybox: string;
  /** Applet paths relative to the root (from busyboxApplets). */
  applets: readonly string[];
}

function parents(path: string): string[] {
  const out: string[] = [];
  for (let dir = posix.dirname(path); dir !== '.' && dir !== '/'; dir = posix.dirname(dir)) {
    out.unshift(dir);
  }
  return out;
}

/** Writes the root filesystem into `tar` and finishes it. */
export async function writeBusyboxRootfs(tar: TarWriter, spec: RootfsSpec): Promise<void> {
  const file = await open(spec.busybox, 'r').catch((err: unknown) => {
    if (hasErrno(err, 'ENOENT')) throw new Error(`${spec.busybox} does not exist`, { cause: err });
    throw err;
  });
  try {
    const info = await file.stat();
    const mtime = info.mtime;
    const links = spec.applets.filter((path) => path !== BUSYBOX_ENTRY);
    const dirs = new Map<string, number>(DIRECTORIES);
    for (const path of links)
      for (const dir of parents(path)) if (!dirs.has(dir)) dirs.set(dir, 0o755);
    const ordered = [...dirs.keys()].sort();
    for (const dir of ordered) {
      await tar.add({ name: `${dir}/`, type: 'directory', mode: dirs.get(dir) ?? 0o755, mtime });
    }
    await tar.add(
      { name: BUSYBOX_ENTRY, type: 'file', mode: 0o755, size: info.size, mtime },
      file.createReadStream({ autoClose: false }),
    );
    for (const path of links) {
      await tar.add({ name: path, type: 'hardlink', linkname: BUSYBOX_ENTRY, mode: 0o755, mtime });
    }
    await tar.add({ name: 'etc/passwd', type: 'file', mode: 0o644, mtime }, Buffer.from(PASSWD));
    await tar.add({ name: 'etc/group', type: 'file', mode: 0o644, mtime }, Buffer.from(GROUP));
    await tar.finish();
  } finally {
    await file.close();
  }
}
