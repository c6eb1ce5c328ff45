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
  symlinkSync,
  writeSync,
} from 'node:fs';

import { invalidArgument } from '../core/index.js';
import type { TarEntry, TarHeader } from '../archive/index.js';
import { makeSpecialFile } from '../sys/index.js';
import { cleanEntryPath, entryRole } from './entry-path.js';
import { isDirectoryKind, type TrackedKind, type TrackedPath } from './layer-paths.js';
import {
  absolutePath,
  ensureParents,
  isWhiteoutDevice,
  lstatIfExists,
  OPAQUE_XATTR,
  removeExisting,
  type UnpackContext,
} from './tree-ops.js';
import { applyOpaque, applyWhiteout } from './whiteouts.js';

/**
 * Extended attributes taken from archives: user attributes and file capabilities. `trusted.*`
 * (overlayfs metadata: a layer could plant redirects or metacopy pointers into other layers),
 * other `security.*` (SELinux/IMA labels belong to the host's policy) and `system.*` (ACLs,
 * which would also rewrite the mode bits) are left out. They stay in the tar-split, so the
 * exported tar is unchanged. Only regular files and directories get attributes.
 */
export function isAcceptedXattr(name: string): boolean {
  return name.startsWith('user.') || name === 'security.capability';
}

const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Applies one archive entry to the layer. Per-entry syscalls are synchronous (see
 * lstatIfExists); unpackLayer yields to the event loop between entries every few milliseconds. Returns true if it read the entry's body (a regular
 * file was written); otherwise the caller drains it.
 */
export async function applyLayerEntry(ctx: UnpackContext, entry: TarEntry): Promise<boolean> {
  const { header } = entry;
  const path = cleanEntryPath(header.name);
  const role = entryRole(path);
  switch (role.kind) {
    case 'whiteout':
      await applyWhiteout(ctx, role.target, path);
      return false;
    case 'opaque':
      await applyOpaque(ctx, role.dir, path);
      return false;
    case 'aufs-meta':
      return false;
    case 'plain':
      return applyPlainEntry(ctx, path, entry);
  }
}

async function applyPlainEntry(
  ctx: UnpackContext,
  path: string,
  entry: TarEntry,
): Promise<boolean> {
  const { header } = entry;
  if (path === '') {
    if (header.type !== 'directory') {
      throw invalidArgument(
        `invalid tar: "${header.name}" names the layer root but is not a directory`,
      );
    }
    const info = ctx.paths.get('') ?? { kind: 'directory' };
    setAttributes(ctx, path, header, info);
    ctx.paths.set('', info);
    return false;
  }
  await ensureParents(ctx, path, header.name);
  const target = absolutePath(ctx, path);
  const existing = lstatIfExists(target);
  const keepDir = existing?.isDirectory() === true && header.type === 'directory';
  if (existing && !keepDir) await removeExisting(ctx, path);

  let info: TrackedPath;
  switch (header.type) {
    case 'file':
      info = await writeFile(ctx, path, entry);
      ctx.paths.set(path, info);
      return true;
    case 'directory': {
      info = keepDir ? { ...ctx.paths.get(path), kind: 'directory' } : { kind: 'directory' };
      if (!keepDir) mkdirSync(target, { mode: 0o700 });
      // Replacing a whiteout of this layer: the directory hides what the layers below have.
      if (existing && ctx.mode === 'overlay' && isWhiteoutDevice(existing)) {
        info.xattrs = new Map([[OPAQUE_XATTR, Buffer.from('y')]]);
      }
      break;
    }
    case 'symlink':
      if (header.linkname === '') {
        throw invalidArgument(`invalid tar: symlink "${header.name}" has no target`);
      }
      symlinkSync(header.linkname, target);
      info = { kind: 'symlink' };
      break;
    case 'hardlink':
      linkSync(absolutePath(ctx, hardlinkTarget(ctx, path, header)), target);
      info = { kind: 'hardlink' };
      break;
    case 'char':
    case 'block':
    case 'fifo':
      await makeSpecialFile(
        target,
        { type: header.type, major: header.devmajor, minor: header.devminor },
        ctx.signal,
      );
      info = { kind: 'special' };
      break;
  }
  setAttributes(ctx, path, header, info);
  ctx.paths.set(path, info);
  return false;
}

/** Checks a hard link's target: inside the layer, an earlier non-directory entry of it. */
function hardlinkTarget(ctx: UnpackContext, path: string, header: TarHeader): string {
  const target = cleanEntryPath(header.linkname);
  const tracked = ctx.paths.get(target);
  if (tracked === undefined || isDirectoryKind(tracked.kind) || target === path) {
    throw invalidArgument(
      `invalid tar: hardlink "${header.name}" points to "${header.linkname}", which is not an earlier entry of the layer`,
    );
  }
  return target;
}

/**
 * Writes a regular file (never through a symlink: O_EXCL|O_NOFOLLOW), then sets owner, mode
 * (after chown, which clears setuid/setgid) and mtime on the open file.
 */
async function writeFile(ctx: UnpackContext, path: string, entry: TarEntry): Promise<TrackedPath> {
  const { header } = entry;
  const info: TrackedPath = { kind: 'file' };
  if (header.size > 0) info.ref = await ctx.referenceBody(path, header.size);
  const fd = openSync(absolutePath(ctx, path), WRITE_FLAGS, 0o600);
  try {
    for await (const chunk of entry.body()) {
      for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
    }
    fchownSync(fd, header.uid, header.gid);
    fchmodSync(fd, header.mode & 0o7777);
    futimesSync(fd, header.mtime, header.mtime);
  } finally {
    closeSync(fd);
  }
  addXattrs(info, header);
  return info;
}

/** Ownership, then mode (chown clears setuid/setgid), times; xattrs and dir times come last. */
function setAttributes(
  ctx: UnpackContext,
  path: string,
  header: TarHeader,
  info: TrackedPath,
): void {
  const target = absolutePath(ctx, path);
  lchownSync(target, header.uid, header.gid);
  const kind = inodeKind(target, info.kind);
  // chmod follows symlinks: never call it on one (Linux ignores a symlink's own mode anyway).
  if (kind !== 'symlink') chmodSync(target, header.mode & 0o7777);
  if (kind === 'file' || isDirectoryKind(kind)) addXattrs(info, header);
  if (isDirectoryKind(kind)) info.mtime = header.mtime;
  else lutimesSync(target, header.mtime, header.mtime);
}

function addXattrs(info: TrackedPath, header: TarHeader): void {
  for (const [name, value] of Object.entries(header.xattrs)) {
    if (!isAcceptedXattr(name)) continue;
    info.xattrs ??= new Map();
    info.xattrs.set(name, value);
  }
}

/** What a tracked path is on disk; a hard link is whatever its target is. */
function inodeKind(target: string, kind: TrackedKind): TrackedKind {
  if (kind !== 'hardlink') return kind;
  const stats = lstatSync(target);
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  return 'special';
}
