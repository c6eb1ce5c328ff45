import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  type Stats,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';

import { decompressed, readTar, type TarEntry, type TarHeader } from '../archive/index.js';
import { hasErrno, invalidArgument } from '../core/index.js';
import { isAcceptedXattr } from '../layers/index.js';
import { makeSpecialFile, setXattrs, type XattrAssignment } from '../sys/index.js';
import { fileNotFound } from './rootfs-archive.js';
import { containerPathOf, resolveInRoot } from './rootfs-path.js';

export interface ExtractOptions {
  /** Refuse to replace a directory by a non-directory and the reverse (Docker's flag). */
  noOverwriteDirNonDir: boolean;
  /**
   * Docker's `copyUIDGID` (`docker cp -a`): every entry is owned by the container's user
   * (`user`). Without it — or when the container has no configured user — entries keep the
   * ids of the archive, which is what Docker does despite its documentation.
   */
  copyUIDGID: boolean;
  /** The container's configured user, resolved in the container's /etc/passwd and group. */
  user?: { uid: number; gid: number } | undefined;
  /** The container's name, for Docker's not-found message. */
  container?: string;
  signal?: AbortSignal;
}

interface ExtractContext {
  root: string;
  /** The container path of the extraction directory (its symlinks resolved). */
  dest: string;
  options: ExtractOptions;
  /** Container directory → its host path, checked to be a directory. */
  parents: Map<string, string>;
  /** Directory times are set last: entries created inside would change them. */
  dirs: Array<{ path: string; mtime: Date }>;
  xattrs: XattrAssignment[];
}

const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * `PUT /containers/{id}/archive`: extracts a tar (plain or gzip) into directory `path` of the
 * rootfs, as Docker does. `path` is followed to the end (a link to a directory is fine); it
 * must exist (NotFound, Docker's text) and be a directory (InvalidArgument 'extraction point
 * is not a directory'). Entry names are cleaned; one climbing above `path` is refused, and so
 * are symlink entries whose relative target climbs above it and hard links to outside it.
 * Every parent is resolved inside the rootfs, so existing links lead at most elsewhere in the
 * rootfs; missing parents are created (0755, root). Existing entries are replaced, directories
 * merged. Extended attributes: only `user.*` and `security.capability`.
 */
export async function extractArchive(
  root: string,
  path: string,
  tar: AsyncIterable<Buffer>,
  options: ExtractOptions,
): Promise<void> {
  const destHost = await resolveInRoot(root, path, { followLast: true });
  let info: Stats | undefined;
  try {
    info = lstatSync(destHost, { throwIfNoEntry: false });
  } catch (err) {
    if (!hasErrno(err, 'ENOTDIR')) throw err;
  }
  if (info === undefined) throw fileNotFound(path, options.container);
  if (!info.isDirectory()) throw invalidArgument('extraction point is not a directory');
  const dest = containerPathOf(root, destHost);
  const ctx: ExtractContext = {
    root,
    dest,
    options,
    parents: new Map([[dest, destHost]]),
    dirs: [],
    xattrs: [],
  };
  for await (const entry of readTar(decompressed(tar), { signal: options.signal })) {
    await applyEntry(ctx, entry);
  }
  await setXattrs(ctx.xattrs, { signal: options.signal });
  for (const { path: dir, mtime } of ctx.dirs.reverse()) {
    try {
      lutimesSync(dir, mtime, mtime);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
  }
}

/** Go's %q, near enough for paths in messages. */
function quote(text: string): string {
  return JSON.stringify(text);
}

/** An entry name relative to the extraction dir ('' for the dir itself); escapes throw. */
function relativeEntryPath(ctx: ExtractContext, name: string, what: string): string {
  if (name.includes('\0')) throw invalidArgument(`invalid tar: ${what} ${quote(name)}`);
  const clean = name.startsWith('/') ? posix.normalize(name).slice(1) : posix.normalize(name);
  if (clean === '..' || clean.startsWith('../')) {
    throw invalidArgument(`invalid tar: ${what} ${quote(name)} is outside of ${quote(ctx.dest)}`);
  }
  return clean === '.' || clean === './' ? '' : clean.replace(/\/+$/, '');
}

async function applyEntry(ctx: ExtractContext, entry: TarEntry): Promise<void> {
  const { header } = entry;
  const rel = relativeEntryPath(ctx, header.name, 'path');
  const isDir = header.type === 'directory';
  if (rel === '') {
    if (isDir) return;
    throw invalidArgument(
      `cannot overwrite directory ${quote(ctx.dest)} with non-directory ${quote(ctx.dest)}`,
    );
  }
  const path = posix.join(ctx.dest, rel);
  const target = `${await parentDir(ctx, posix.dirname(path))}/${posix.basename(path)}`;
  const keepDir = await clearTarget(ctx, path, target, isDir);
  const owner = ctx.options.copyUIDGID && ctx.options.user ? ctx.options.user : header;
  switch (header.type) {
    case 'file':
      await writeFile(target, entry, owner);
      break;
    case 'directory':
      if (!keepDir) mkdirSync(target, { mode: 0o700 });
      lchownSync(target, owner.uid, owner.gid);
      chmodSync(target, header.mode & 0o7777);
      ctx.dirs.push({ path: target, mtime: header.mtime });
      ctx.parents.set(path, target);
      break;
    case 'symlink':
      checkSymlink(ctx, rel, path, header);
      symlinkSync(header.linkname, target);
      setAttributes(target, header, owner);
      break;
    case 'hardlink': {
      const source = relativeEntryPath(ctx, header.linkname, 'hard link target');
      linkSync(await hardlinkSource(ctx, path, source, header.linkname), target);
      setAttributes(target, header, owner);
      break;
    }
    case 'char':
    case 'block':
    case 'fifo':
      await makeSpecialFile(
        target,
        { type: header.type, major: header.devmajor, minor: header.devminor },
        ctx.options.signal,
      );
      setAttributes(target, header, owner);
      break;
  }
  addXattrs(ctx, target, header);
}

/**
 * The host path of a directory of the container (following links inside the rootfs), created
 * with its missing parents if needed.
 */
async function parentDir(ctx: ExtractContext, dir: string): Promise<string> {
  const cached = ctx.parents.get(dir);
  if (cached !== undefined) return cached;
  const host = await resolveInRoot(ctx.root, dir, { followLast: true });
  try {
    await mkdir(host, { recursive: true, mode: 0o755 });
  } catch (err) {
    if (!hasErrno(err, 'ENOTDIR', 'EEXIST')) throw err;
    throw invalidArgument(`cannot extract into ${quote(dir)}: not a directory`, err);
  }
  const info = lstatSync(host);
  if (!info.isDirectory()) {
    throw invalidArgument(`cannot extract into ${quote(dir)}: not a directory`);
  }
  ctx.parents.set(dir, host);
  return host;
}

/**
 * Makes room for an entry: an existing directory stays for a directory entry (true is
 * returned); anything else is removed, unless noOverwriteDirNonDir forbids it.
 */
async function clearTarget(
  ctx: ExtractContext,
  path: string,
  target: string,
  isDir: boolean,
): Promise<boolean> {
  const existing = lstatSync(target, { throwIfNoEntry: false });
  if (existing === undefined) return false;
  const wasDir = existing.isDirectory();
  if (ctx.options.noOverwriteDirNonDir && wasDir !== isDir) {
    throw invalidArgument(
      wasDir
        ? `cannot overwrite directory ${quote(path)} with non-directory ${quote(ctx.dest)}`
        : `cannot overwrite non-directory ${quote(path)} with directory ${quote(ctx.dest)}`,
    );
  }
  if (wasDir && isDir) return true;
  await rm(target, { recursive: wasDir, force: true });
  ctx.parents.clear();
  return false;
}

/** Docker refuses a relative link target that climbs above the extraction dir. */
function checkSymlink(ctx: ExtractContext, rel: string, path: string, header: TarHeader) {
  if (header.linkname === '') {
    throw invalidArgument(`invalid tar: symlink ${quote(header.name)} has no target`);
  }
  const resolved = posix.normalize(posix.join(posix.dirname(rel), header.linkname));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw invalidArgument(`invalid symlink ${quote(path)} -> ${quote(header.linkname)}`);
  }
}

/** A hard link's target: an existing non-directory named relative to the extraction dir. */
async function hardlinkSource(
  ctx: ExtractContext,
  path: string,
  source: string,
  linkname: string,
): Promise<string> {
  const host = await resolveInRoot(ctx.root, posix.join(ctx.dest, source), { followLast: false });
  const info = lstatSync(host, { throwIfNoEntry: false });
  if (source === '' || info === undefined || info.isDirectory()) {
    throw invalidArgument(`invalid hardlink ${quote(path)} -> ${quote(linkname)}`);
  }
  return host;
}

interface Owner {
  uid: number;
  gid: number;
}

/** Writes a regular file (never through a symlink), then owner, mode (after chown) and mtime. */
async function writeFile(target: string, entry: TarEntry, owner: Owner): Promise<void> {
  const { header } = entry;
  const fd = openSync(target, WRITE_FLAGS, 0o600);
  try {
    for await (const chunk of entry.body()) {
      for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
    }
    fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, header.mode & 0o7777);
    futimesSync(fd, header.mtime, header.mtime);
  } finally {
    closeSync(fd);
  }
}

/** Owner, mode (chmod follows links: never on one) and times of a non-directory. */
function setAttributes(target: string, header: TarHeader, owner: Owner): void {
  lchownSync(target, owner.uid, owner.gid);
  if (!lstatSync(target).isSymbolicLink()) chmodSync(target, header.mode & 0o7777);
  lutimesSync(target, header.mtime, header.mtime);
}

function addXattrs(ctx: ExtractContext, target: string, header: TarHeader): void {
  if (header.type !== 'file' && header.type !== 'directory') return;
  const attrs = new Map<string, Buffer>();
  for (const [name, value] of Object.entries(header.xattrs)) {
    if (isAcceptedXattr(name)) attrs.set(name, value);
  }
  if (attrs.size > 0) ctx.xattrs.push({ path: target, attrs });
}
