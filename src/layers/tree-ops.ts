import { chmodSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { invalidArgument } from '../core/index.js';
import { makeSpecialFile } from '../sys/index.js';
import { ancestorPaths, parentPath } from './entry-path.js';
import { isDirectoryKind, type LayerPaths } from './layer-paths.js';

/**
 * How whiteouts are applied: 'overlay' writes overlayfs whiteouts (0/0 char devices, opaque
 * xattrs) into a diff dir holding only this layer; 'vfs' applies them to a full copy of the
 * parent's tree.
 */
export type UnpackMode = 'overlay' | 'vfs';

/** Marks an overlayfs directory as opaque (its value is 'y'). */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** True for an overlayfs whiteout: a character device with device number 0/0. */
export function isWhiteoutDevice(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

/** Where relocated file bodies go, inside the layer dir (see removeExisting). */
export const BODIES_DIR = 'bodies';

export interface UnpackContext {
  diffDir: string;
  /** The layer's own dir (diffDir's parent): relocated bodies, the whiteout template. */
  layerDir: string;
  mode: UnpackMode;
  paths: LayerPaths;
  signal?: AbortSignal | undefined;
  /** Called before a regular file's body is read; returns its tar-split ordinal. */
  referenceBody(path: string, size: number): Promise<number>;
  /** The parent dir the last entry was checked against (cache; cleared by every removal). */
  verifiedParent?: string | undefined;
  /** A 0/0 char device outside diffDir; whiteouts are hard links to it. */
  whiteoutTemplate?: string | undefined;
  bodiesDirReady?: boolean;
}

export function absolutePath(ctx: UnpackContext, path: string): string {
  return path === '' ? ctx.diffDir : join(ctx.diffDir, path);
}

/**
 * lstat, undefined if nothing is there. Synchronous, like the other per-entry syscalls of an
 * unpack: each takes microseconds, while a round trip through libuv's thread pool costs several
 * times that and dominated unpack time (the unpack loop yields to the event loop regularly).
 */
export function lstatIfExists(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/**
 * Makes every ancestor of `path` a real directory inside the diff, creating missing ones (0755,
 * root-owned). Never goes through a symlink: one the archive created earlier makes the entry
 * invalid; one from the layers below (vfs) is replaced by a directory, which is what overlayfs
 * shows when an upper directory lies over a lower non-directory.
 */
export async function ensureParents(ctx: UnpackContext, path: string, name: string): Promise<void> {
  const parent = parentPath(path);
  if (parent === '' || parent === ctx.verifiedParent) return;
  for (const dir of ancestorPaths(path)) {
    const tracked = ctx.paths.get(dir);
    if (tracked && isDirectoryKind(tracked.kind)) continue;
    const stats = lstatIfExists(absolutePath(ctx, dir));
    if (stats?.isDirectory()) {
      ctx.paths.set(dir, { kind: 'implicit-directory' });
      continue;
    }
    // A whiteout of this layer (overlay) becomes a directory that hides the layers below.
    const opaque = stats !== undefined && ctx.mode === 'overlay' && isWhiteoutDevice(stats);
    if (stats) {
      if (tracked || (ctx.mode === 'overlay' && !opaque)) {
        throw invalidArgument(
          stats.isSymbolicLink()
            ? `invalid tar: path "${name}" passes through symlink "${dir}"`
            : `invalid tar: path "${name}" passes through "${dir}", which is not a directory`,
        );
      }
      await removeExisting(ctx, dir);
    }
    mkdirSync(absolutePath(ctx, dir), { mode: 0o755 });
    chmodSync(absolutePath(ctx, dir), 0o755);
    ctx.paths.set(dir, {
      kind: 'implicit-directory',
      ...(opaque ? { xattrs: new Map([[OPAQUE_XATTR, Buffer.from('y')]]) } : {}),
    });
  }
  ctx.verifiedParent = parent;
}

/**
 * Deletes whatever is at `path` (a whole tree for a directory). File bodies of this layer that
 * the tar-split still needs are first moved to `<layer>/bodies/<ordinal>`: a later entry of the
 * same archive may replace or white out a file, but the export must still produce the first.
 */
export async function removeExisting(ctx: UnpackContext, path: string): Promise<void> {
  if (path === '') throw invalidArgument('invalid tar: an entry would replace the layer root');
  const stats = lstatIfExists(absolutePath(ctx, path));
  ctx.verifiedParent = undefined;
  for (const [gone, info] of ctx.paths.forget(path, stats?.isDirectory() ?? false)) {
    if (info.ref === undefined) continue;
    const bodies = join(ctx.layerDir, BODIES_DIR);
    if (!ctx.bodiesDirReady) {
      await mkdir(bodies, { recursive: true, mode: 0o700 });
      ctx.bodiesDirReady = true;
    }
    await rename(absolutePath(ctx, gone), join(bodies, String(info.ref)));
  }
  if (stats) await rm(absolutePath(ctx, path), { recursive: stats.isDirectory(), force: true });
}

/** The shared whiteout device of this unpack, made on first use (one mknod per layer). */
export async function whiteoutTemplate(ctx: UnpackContext): Promise<string> {
  if (ctx.whiteoutTemplate === undefined) {
    const path = join(ctx.layerDir, '.whiteout');
    await makeSpecialFile(path, { type: 'char', major: 0, minor: 0 }, ctx.signal);
    ctx.whiteoutTemplate = path;
  }
  return ctx.whiteoutTemplate;
}
