import { posix } from 'node:path';

import type { FilesystemChange } from '../api-types/index.js';
import { pinLayers, releaseLayers } from '../images/index.js';
import type { Layer } from '../layers/index.js';
import type { Digest } from '../oci/index.js';
import { scanXattrs } from '../sys/index.js';
import type { ContainerContext } from './container-context.js';
import { EMPTY_LAYER_DIFF_ID, type LayerEntry, layerTar, planLayerEntries } from './layer-tar.js';
import { overlayChangeSet, treeChanges } from './rootfs-changes.js';
import { type RootfsLease, withRootfs } from './rootfs-lease.js';

/**
 * What the engine places over the container's own files, and whose mount points runc creates
 * in the writable layer when the image lacks them: Docker has these in its init layer, so
 * neither `docker diff` nor `docker commit` ever sees them. The mount points of a container's
 * binds, volumes and tmpfs mounts are the container's own changes for Docker (they are in the
 * diff and in a commit), and so they are here.
 */
const ENGINE_PATHS = ['/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];

/** The container paths `docker diff` and `docker commit` leave out (see ENGINE_PATHS). */
export function diffIgnoredPaths(): string[] {
  return [...ENGINE_PATHS];
}

/** A container's changes relative to its image, and its opaque directories (overlay only). */
interface LeaseChanges {
  changes: FilesystemChange[];
  opaqueDirs: string[];
}

async function leaseChangeSet(lease: RootfsLease, signal?: AbortSignal): Promise<LeaseChanges> {
  if (lease.record.driver === 'vfs') {
    const [base = ''] = await lease.lowerDirs();
    const tree = lease.paths.rootfs;
    return {
      changes: await treeChanges({ tree, base, ignore: diffIgnoredPaths(), signal }),
      opaqueDirs: [],
    };
  }
  return overlayChangeSet({
    upperDir: lease.paths.upper,
    lowerDirs: await lease.lowerDirs(),
    ignore: diffIgnoredPaths(),
    signal,
  });
}

/** A container's changes relative to its image (`docker diff`), under its lease. */
export async function leaseChanges(
  lease: RootfsLease,
  signal?: AbortSignal,
): Promise<FilesystemChange[]> {
  return (await leaseChangeSet(lease, signal)).changes;
}

/** A layer of a container's changes, pinned until `unpin` (see pinLayers). */
export interface PinnedLayer {
  layer: Layer;
  unpin: () => void;
}

/**
 * Registers the layer of the lease's changes on `parent` (the image's top chain id) and pins
 * it at once, so that no concurrent image removal takes it before an image records it. The
 * layer is a tar in Docker's layer format (see layer-tar.ts) of the writable layer (overlay's
 * upper dir, vfs's tree). Undefined when nothing changed: Docker records no layer for an empty
 * diff (a layer that turns out empty is released again).
 */
export async function registerLeaseLayer(
  ctx: ContainerContext,
  lease: RootfsLease,
  parent: Digest | undefined,
  signal?: AbortSignal,
): Promise<PinnedLayer | undefined> {
  const { changes, opaqueDirs } = await leaseChangeSet(lease, signal);
  if (changes.length === 0) return undefined;
  const entries = planLayerEntries(changes, opaqueDirs);
  const root = lease.paths.upper;
  const tar = layerTar({
    root,
    entries,
    capabilities: await fileCapabilities(root, entries, signal),
    now: new Date(),
    signal,
  });
  const layer = await ctx.images.layers.register(tar, parent, { signal });
  const unpin = pinLayers(ctx.images, [layer.chainId]);
  if (layer.diffId !== EMPTY_LAYER_DIFF_ID) return { layer, unpin };
  unpin();
  await releaseLayers(ctx.images, [layer.chainId]);
  return undefined;
}

/**
 * The `security.capability` attributes of the files the layer takes, by container path (one
 * getfattr over the writable layer; none when the layer takes no path).
 */
async function fileCapabilities(
  root: string,
  entries: readonly LayerEntry[],
  signal?: AbortSignal,
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (!entries.some((e) => e.kind === 'path')) return out;
  const top = posix.resolve(root);
  const found = await scanXattrs([top], {
    recursive: true,
    match: '^security\\.capability$',
    signal,
  });
  for (const [hostPath, values] of found) {
    const value = values.get('security.capability');
    if (value && hostPath.startsWith(`${top}/`)) out.set(hostPath.slice(top.length), value);
  }
  return out;
}

/**
 * The layer of a container's changes (what a build step records), registered on `parent`:
 * see registerLeaseLayer. A running container is frozen meanwhile. The layer stays pinned
 * until the caller, having recorded it in an image, calls `unpin`.
 */
export function commitContainerLayer(
  ctx: ContainerContext,
  id: string,
  parent: Digest | undefined,
  signal?: AbortSignal,
): Promise<PinnedLayer | undefined> {
  return withRootfs(ctx, id, { view: 'none' }, (lease) =>
    registerLeaseLayer(ctx, lease, parent, signal),
  );
}
