import { link, readdir } from 'node:fs/promises';

import { joinPath } from './entry-path.js';
import { isDirectoryKind, type TrackedPath } from './layer-paths.js';
import {
  absolutePath,
  ensureParents,
  OPAQUE_XATTR,
  removeExisting,
  type UnpackContext,
  whiteoutTemplate,
} from './tree-ops.js';

/**
 * Whiteouts (OCI image spec, "Representing Changes"): `.wh.NAME` deletes NAME from the layers
 * below, `.wh..wh..opq` hides everything the layers below have in its directory. Entries of the
 * same layer are never hidden by them, whatever their order in the archive.
 *
 * overlay: a whiteout becomes a 0/0 character device named NAME (all of a layer's whiteouts are
 * hard links to one device, as overlayfs itself does) and an opaque directory gets the xattr
 * `trusted.overlay.opaque=y`. vfs: the diff dir is a full copy of the parent's tree, so the
 * named path is deleted, and an opaque directory loses what the layers below put in it.
 */

/** Applies `.wh.NAME` (`entryPath`) deleting `target` (cleaned paths). */
export async function applyWhiteout(
  ctx: UnpackContext,
  target: string,
  entryPath: string,
): Promise<void> {
  await ensureParents(ctx, target, entryPath);
  const own = ctx.paths.get(target);
  if (own !== undefined) {
    // This layer's entry stays; it already hides a lower non-directory, and a directory of this
    // layer must not show what the layers below have there.
    if (isDirectoryKind(own.kind)) await hideLowerContent(ctx, target, own);
    return;
  }
  await removeExisting(ctx, target);
  if (ctx.mode === 'overlay') await link(await whiteoutTemplate(ctx), absolutePath(ctx, target));
}

/** Applies `.wh..wh..opq` (`entryPath`) to directory `dir`. */
export async function applyOpaque(
  ctx: UnpackContext,
  dir: string,
  entryPath: string,
): Promise<void> {
  // Makes `dir` itself (the parent of the marker) a directory of this layer.
  await ensureParents(ctx, entryPath, entryPath);
  let info = ctx.paths.get(dir);
  if (info === undefined) {
    info = { kind: 'implicit-directory' };
    ctx.paths.set(dir, info);
  }
  await hideLowerContent(ctx, dir, info);
}

/** Makes the layers below invisible under `dir`, a directory of this layer. */
export async function hideLowerContent(
  ctx: UnpackContext,
  dir: string,
  info: TrackedPath,
): Promise<void> {
  if (ctx.mode === 'vfs') {
    await clearLowerContent(ctx, dir);
    return;
  }
  info.xattrs ??= new Map();
  info.xattrs.set(OPAQUE_XATTR, Buffer.from('y'));
}

/** vfs: deletes what the layers below have under `dir`, keeping this layer's entries. */
async function clearLowerContent(ctx: UnpackContext, dir: string): Promise<void> {
  for (const name of await readdir(absolutePath(ctx, dir))) {
    const child = joinPath(dir, name);
    const info = ctx.paths.get(child);
    if (info === undefined) await removeExisting(ctx, child);
    else if (isDirectoryKind(info.kind)) await clearLowerContent(ctx, child);
  }
}
