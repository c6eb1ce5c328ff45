import { constants, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import { posix } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import type { PathStat } from '../api-types/index.js';
import { createTarWriter, type TarHeaderInput, type TarWriter } from '../archive/index.js';
import { hasErrno, internal, invalidArgument, notFound } from '../core/index.js';
import { containerPathOf, resolveInRoot } from './rootfs-path.js';

/**
 * The container file system side of `docker cp` and `docker export`, on a mounted rootfs
 * directory. Paths given by clients are container paths, resolved with resolveInRoot: nothing
 * outside the rootfs is ever read. Archives are written as Docker writes them: entry names
 * rebased on the requested name, mtimes in whole seconds, owners as numeric ids, hard links
 * between regular files of the tree as link entries, sockets left out.
 */

export interface PathOptions {
  /** The container's name, for Docker's not-found message. */
  container?: string;
  signal?: AbortSignal;
}

/** Docker's 404 for a missing path of `HEAD`/`GET`/`PUT /containers/{id}/archive`. */
export function fileNotFound(path: string, container?: string): Error {
  const where = container === undefined ? '' : ` in container ${container}`;
  return notFound(`Could not find the file ${path}${where}`);
}

/** Go's os.FileMode type and special bits (the permission bits are the same as Unix's). */
const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

const S_IFMT = 0o170000;
const GO_TYPE_BITS: Record<number, number> = {
  0o040000: GO_MODE.dir,
  0o120000: GO_MODE.symlink,
  0o060000: GO_MODE.device,
  0o020000: GO_MODE.device + GO_MODE.charDevice,
  0o010000: GO_MODE.namedPipe,
  0o140000: GO_MODE.socket,
};

/** A Unix st_mode as Go's os.FileMode (what Docker's PathStat.mode carries). */
export function goFileMode(mode: number): number {
  let bits = (mode & 0o777) + (GO_TYPE_BITS[mode & S_IFMT] ?? 0);
  if (mode & 0o4000) bits += GO_MODE.setuid;
  if (mode & 0o2000) bits += GO_MODE.setgid;
  if (mode & 0o1000) bits += GO_MODE.sticky;
  return bits;
}

/** Nanoseconds since the epoch as Go's RFC 3339 with nanoseconds (UTC, no trailing zeros). */
export function formatGoTime(ns: bigint): string {
  let seconds = ns / 1_000_000_000n;
  let fraction = ns % 1_000_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000_000n;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = fraction.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${digits === '' ? '' : `.${digits}`}Z`;
}

/** The `X-Docker-Container-Path-Stat` header value: base64 of the JSON Go's encoder writes. */
export function encodePathStat(stat: PathStat): string {
  const { name, size, mode, mtime, linkTarget } = stat;
  const json = JSON.stringify({ name, size, mode, mtime, linkTarget }).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(json, 'utf8').toString('base64');
}

interface LocatedPath {
  hostPath: string;
  /** The name Docker gives the path's entry: base name, '.' for `dir/.`, '/' for the root. */
  name: string;
  stat: PathStat;
}

/**
 * Finds a client's path as Docker's archive endpoints do: every element but the last is
 * followed; the last is followed too when the path ends with '/' or '/.' (so `link/` is the
 * directory a link points to, `link` the link itself).
 */
async function locatePath(root: string, path: string, container?: string): Promise<LocatedPath> {
  const abs = posix.join('/', path);
  const trimmed = path.replace(/\/+$/, '');
  const dotted = trimmed === '.' || trimmed.endsWith('/.');
  const followLast = dotted || abs.endsWith('/');
  const name = dotted ? '.' : abs === '/' ? '/' : posix.basename(abs);
  const hostPath = await resolveInRoot(root, abs, { followLast });
  let info;
  try {
    info = await lstat(hostPath, { bigint: true });
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) throw fileNotFound(path, container);
    throw err;
  }
  if (followLast && !info.isDirectory()) throw invalidArgument(`lstat ${path}: not a directory`);
  let linkTarget = '';
  if (info.isSymbolicLink()) {
    linkTarget = containerPathOf(root, await resolveInRoot(root, abs, { followLast: true }));
  }
  const stat: PathStat = {
    name,
    size: Number(info.size),
    mode: goFileMode(Number(info.mode)),
    mtime: formatGoTime(info.mtimeNs),
    linkTarget,
  };
  return { hostPath, name, stat };
}

/**
 * `HEAD /containers/{id}/archive`: what `path` is. A symlink is described itself, with
 * `linkTarget` the container path it finally resolves to. Missing → NotFound (Docker's text).
 */
export async function statPath(
  root: string,
  path: string,
  options: PathOptions = {},
): Promise<PathStat> {
  return (await locatePath(root, path, options.container)).stat;
}

/**
 * `GET /containers/{id}/archive`: the stat (for the header) and a tar of `path`. The top entry
 * is named after the path (`dir/`, then `dir/a`...; `./` for `dir/.`; `/` and `/etc`... for the
 * root); a symlink as last element is archived as a link unless the path ends with '/'. Errors
 * about the path (NotFound) come before any byte; the tar is read lazily, and stopping its
 * iteration or `signal` releases everything.
 */
export async function archivePath(
  root: string,
  path: string,
  options: PathOptions = {},
): Promise<{ stat: PathStat; tar: AsyncIterable<Buffer> }> {
  const found = await locatePath(root, path, options.container);
  const tar = tarStream(async (walk) => {
    const info = lstatSync(found.hostPath, { throwIfNoEntry: false });
    if (info === undefined) throw fileNotFound(path, options.container);
    await addNode(walk, found.hostPath, found.name, info);
  }, options.signal);
  return { stat: found.stat, tar };
}

export interface TreeArchiveOptions {
  /** The entry name of `hostPath` (children are named below it). */
  name: string;
  /** False: only what is under a directory, not the directory entry itself. */
  includeTop: boolean;
  owner?: { uid: number; gid: number } | undefined;
  chmod?: number | undefined;
  /**
   * Directories written first (`a/`, `a/b/`), mode 0755, modified now: those a COPY creates
   * above (or as) its destination, with the owners Docker gives them.
   */
  directories?: readonly { name: string; uid: number; gid: number }[] | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * A tar of a host file or directory tree (a build's COPY source, already resolved inside its
 * root) under another name, optionally with other owners and permissions. Symlinks inside are
 * archived as links, never followed.
 */
export function archiveTree(hostPath: string, options: TreeArchiveOptions): AsyncIterable<Buffer> {
  return tarStream(async (walk) => {
    walk.owner = options.owner;
    walk.chmod = options.chmod;
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const dir of options.directories ?? []) {
      await walk.writer.add({ ...dir, type: 'directory', mode: 0o755, mtime });
    }
    const info = lstatSync(hostPath);
    if (options.includeTop || !info.isDirectory()) {
      await addNode(walk, hostPath, options.name, info);
    } else {
      await addChildren(
        walk,
        hostPath,
        options.name.endsWith('/') ? options.name : `${options.name}/`,
      );
    }
  }, options.signal);
}

export interface ExportOptions {
  /** Container paths left out with everything under them (e.g. mount points' contents). */
  skip?: readonly string[];
  signal?: AbortSignal;
}

/**
 * `docker export`: a tar of the whole rootfs, entries named relative to it without a leading
 * './' (`bin/`, `bin/ls`), the root itself not included.
 */
export function exportRootfs(root: string, options: ExportOptions = {}): AsyncIterable<Buffer> {
  const top = posix.resolve(root);
  const skip = new Set(
    (options.skip ?? []).map((p) => posix.join(top, posix.normalize(`/${p}`)).replace(/\/+$/, '')),
  );
  return tarStream((walk) => addChildren(walk, top, ''), options.signal, skip);
}

interface TreeWalk {
  writer: TarWriter;
  /** dev:ino of regular files with several links → the entry name they were first written as. */
  links: Map<string, string>;
  /** Host paths left out. */
  skip: ReadonlySet<string>;
  signal?: AbortSignal | undefined;
  lastYield: number;
  /** Replaces every entry's owner (a build's COPY --chown, or root for the context's files). */
  owner?: { uid: number; gid: number } | undefined;
  /** Replaces every entry's permission bits (COPY --chmod). */
  chmod?: number | undefined;
}

/**
 * Runs `produce` on a tar writer when the result is first iterated; its bytes are the result.
 * An error of `produce` ends the iteration with that error.
 */
async function* tarStream(
  produce: (walk: TreeWalk) => Promise<void>,
  signal?: AbortSignal,
  skip: ReadonlySet<string> = new Set(),
): AsyncGenerator<Buffer> {
  signal?.throwIfAborted();
  const writer = createTarWriter();
  const stop = () => writer.readable.destroy(abortError(signal));
  signal?.addEventListener('abort', stop, { once: true });
  const walk: TreeWalk = { writer, links: new Map(), skip, signal, lastYield: Date.now() };
  const producing = (async () => {
    await produce(walk);
    await writer.finish();
  })().catch((err: unknown) => {
    writer.readable.destroy(err instanceof Error ? err : internal(String(err)));
  });
  try {
    for await (const chunk of writer.readable) yield chunk as Buffer;
  } finally {
    signal?.removeEventListener('abort', stop);
    writer.readable.destroy();
    await producing;
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : internal('the operation was aborted');
}

/** Writes `hostPath` as entry `name` and, for a directory, everything under it. */
async function addNode(walk: TreeWalk, hostPath: string, name: string, info: Stats) {
  if (Date.now() - walk.lastYield > 20) {
    await yieldToLoop();
    walk.lastYield = Date.now();
  }
  walk.signal?.throwIfAborted();
  const header = headerOf(walk, hostPath, name, info);
  if (header === undefined) return;
  if (header.type === 'file') await walk.writer.add(header, fileBody(hostPath, info.size));
  else await walk.writer.add(header);
  if (header.type === 'directory') await addChildren(walk, hostPath, header.name);
}

async function addChildren(walk: TreeWalk, dir: string, name: string): Promise<void> {
  let children: string[];
  try {
    children = readdirSync(dir).sort();
  } catch (err) {
    // A running container may remove a directory while it is archived.
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return;
    throw err;
  }
  for (const child of children) {
    const hostPath = `${dir}/${child}`;
    if (walk.skip.has(hostPath)) continue;
    const info = lstatSync(hostPath, { throwIfNoEntry: false });
    if (info === undefined) continue;
    const childName = name === '' || name.endsWith('/') ? `${name}${child}` : `${name}/${child}`;
    await addNode(walk, hostPath, childName, info);
  }
}

/** The tar header of a file as Docker writes it; undefined for sockets, which it leaves out. */
function headerOf(
  walk: TreeWalk,
  hostPath: string,
  name: string,
  info: Stats,
): TarHeaderInput | undefined {
  const base = {
    name,
    mode: walk.chmod ?? info.mode & 0o7777,
    uid: walk.owner?.uid ?? info.uid,
    gid: walk.owner?.gid ?? info.gid,
    mtime: new Date(Math.floor(info.mtimeMs / 1000) * 1000),
  };
  if (info.isDirectory()) {
    return { ...base, type: 'directory', name: name.endsWith('/') ? name : `${name}/` };
  }
  if (info.isFile()) {
    if (info.nlink > 1) {
      const key = `${info.dev}:${info.ino}`;
      const first = walk.links.get(key);
      if (first !== undefined) return { ...base, type: 'hardlink', linkname: first };
      walk.links.set(key, name);
    }
    return { ...base, type: 'file', size: info.size };
  }
  if (info.isSymbolicLink()) return { ...base, type: 'symlink', linkname: readlinkSync(hostPath) };
  if (info.isCharacterDevice()) return { ...base, type: 'char', ...deviceNumbers(info.rdev) };
  if (info.isBlockDevice()) return { ...base, type: 'block', ...deviceNumbers(info.rdev) };
  if (info.isFIFO()) return { ...base, type: 'fifo' };
  return undefined;
}

/** glibc's major()/minor() of a device number. */
export function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n);
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
  return { devmajor: Number(major), devminor: Number(minor) };
}

const READ_CHUNK = 256 * 1024;

/**
 * Exactly `size` bytes of a file (never through a symlink, never blocking on a fifo swapped in):
 * a file that shrank while being read is padded with zeros, one that grew is cut, so that a
 * busy container's log cannot break the archive.
 */
async function* fileBody(path: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    yield* exactBytes(handle, size);
  } finally {
    await handle.close();
  }
}

/** `size` bytes of an open file: padded with zeros if it shrank meanwhile, cut if it grew. */
export async function* exactBytes(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  let left = size;
  while (left > 0) {
    const buffer = Buffer.allocUnsafe(Math.min(left, READ_CHUNK));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) {
      yield Buffer.alloc(left);
      return;
    }
    left -= bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
