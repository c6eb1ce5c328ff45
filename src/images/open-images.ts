import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { openContentStore } from '../content/index.js';
import type { Logger } from '../core/index.js';
import {
  type Layer,
  type LayerStore,
  type StorageDriver,
  openLayerStore,
} from '../layers/index.js';
import type { Digest } from '../oci/index.js';
import type { ImageContext, ImageUsage } from './image-service.js';
import { type ImageStore, openImageStore } from './image-store.js';
import { openReferenceStore } from './reference-store.js';

export interface OpenImagesOptions {
  dataRoot: string;
  driver: StorageDriver;
  usage: ImageUsage;
  logger: Logger;
}

export interface Images extends ImageContext {
  /** Scratch space for loads (same filesystem as the stores). */
  tmpDir: string;
}

/**
 * Opens the image stores and brings them back to a consistent state after any crash:
 * interrupted ingests and unpacks are removed, names of images that were never recorded are
 * dropped, and layers that no image uses (a load killed half way) are removed.
 */
export async function openImages(options: OpenImagesOptions): Promise<Images> {
  const { dataRoot, logger } = options;
  const tmpDir = join(dataRoot, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const content = await openContentStore(join(dataRoot, 'content'));
  await content.cleanIngest();
  const layers = await openLayerStore({ root: join(dataRoot, 'layers'), driver: options.driver });
  await layers.cleanup();
  const refs = await openReferenceStore(join(dataRoot, 'images'));
  const images = await openImageStore(join(dataRoot, 'images'), content);

  const orphanRefs = refs
    .entries()
    .filter(([, id]) => !images.get(id))
    .map(([ref]) => ref);
  if (orphanRefs.length > 0) await refs.delete(orphanRefs);

  for (const layer of await unusedLayers(images, layers)) {
    await layers.remove(layer.chainId);
    logger.info('removed unused layer', { layer: layer.chainId });
  }
  return { images, refs, layers, content, usage: options.usage, pinned: new Map(), tmpDir };
}

/**
 * Layers no image uses (and no operation in flight has pinned), children before parents so
 * that they can be removed in that order.
 */
export async function unusedLayers(
  images: ImageStore,
  layers: LayerStore,
  pinned: ReadonlyMap<Digest, number> = new Map(),
): Promise<Layer[]> {
  const used = new Set<Digest>(images.all().flatMap((r) => r.layers));
  const all = await layers.list();
  const unused = all.filter((l) => !used.has(l.chainId) && !pinned.has(l.chainId));
  // Children before parents: a layer is removable once nothing builds on it.
  const depth = (id: Digest | undefined): number => {
    let d = 0;
    for (let cur = id; cur; cur = all.find((l) => l.chainId === cur)?.parent) d++;
    return d;
  };
  return unused.sort((a, b) => depth(b.chainId) - depth(a.chainId));
}
