import type { ContainerService } from '../containers/index.js';
import { notFound } from '../core/index.js';
import { type ImageRecord, type Images, resolveImage } from '../images/index.js';
import type { Digest, ImageConfig } from '../oci/index.js';
import {
  type BuildCacheIndex,
  findCachedChild,
  isAncestor,
  matchCacheSource,
} from './build-cache.js';
import type { RunConfig } from './run-config.js';
import { createdByOf } from './run-config.js';

/**
 * The images of build steps: lookups, recording a step's image (with or without a new
 * layer), the cache probe, and tags. Every image a step records is remembered in the cache
 * index.
 */
export interface StepImages {
  /** A local image by name or id; undefined when there is none. */
  find(name: string): ImageRecord | undefined;
  /** A step's image without a new layer. */
  add(config: ImageConfig, parent: ImageRecord | undefined): Promise<ImageRecord>;
  /** A step's image with the container's changes as a new layer (none when empty). */
  commit(
    containerId: string,
    config: ImageConfig,
    parent: ImageRecord | undefined,
  ): Promise<ImageRecord>;
  /** The cached result of a step, if any (and recorded as used). */
  probe(
    parent: ImageRecord | undefined,
    key: RunConfig,
    runConfig: RunConfig,
  ): Promise<ImageRecord | undefined>;
  tag(id: Digest, reference: string): Promise<void>;
  flush(): Promise<void>;
}

export function createStepImages(options: {
  images: Images;
  containers: ContainerService;
  cache: BuildCacheIndex;
  /** `--cache-from`: when given, only these images (and their parents) are cache sources. */
  cacheFrom: readonly string[];
  tag: (id: Digest, reference: string) => Promise<void>;
}): StepImages {
  const { images, cache } = options;
  const sources = options.cacheFrom
    .map((name) => find(name))
    .filter((r): r is ImageRecord => r !== undefined);
  function find(name: string): ImageRecord | undefined {
    try {
      return images.images.get(resolveImage(images.images, images.refs, name).id);
    } catch (err) {
      if (err instanceof Error && 'kind' in err && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }
  const remember = (record: ImageRecord) => {
    cache.used(record.id, createdByOf(record.config.container_config ?? {}));
    return record;
  };
  return {
    find,
    async add(config, parent) {
      const record = await images.images.add(Buffer.from(JSON.stringify(config)), {
        ...(parent ? { parent: parent.id } : {}),
      });
      return remember(record);
    },
    async commit(containerId, config, parent) {
      const committed = await options.containers.commitLayer(containerId, parent?.topLayer);
      const layer = committed?.layer;
      try {
        if (layer) {
          config.rootfs.diff_ids.push(layer.diffId);
          const last = config.history?.[config.history.length - 1];
          if (last) delete last.empty_layer;
        }
        return await this.add(config, parent);
      } finally {
        committed?.unpin();
      }
    },
    async probe(parent, key, runConfig) {
      if (sources.length === 0) {
        const hit = findCachedChild(images.images, parent?.id, key);
        return hit ? remember(hit) : undefined;
      }
      const local = findCachedChild(images.images, parent?.id, key);
      if (local && sources.some((s) => isAncestor(images.images, local.id, s.id))) {
        return remember(local);
      }
      const match = matchCacheSource(sources, parent, key);
      if (!match) return undefined;
      return remember(
        await restoreFromSource(images, parent, match.source, match.index, { key, runConfig }),
      );
    },
    tag: options.tag,
    flush: () => cache.flush(),
  };
}

/**
 * A cache hit from a `--cache-from` image: the parent plus the source's history entry at
 * `index` and its layer (already local: the source image has it).
 */
async function restoreFromSource(
  images: Images,
  parent: ImageRecord | undefined,
  source: ImageRecord,
  index: number,
  configs: { key: RunConfig; runConfig: RunConfig },
): Promise<ImageRecord> {
  const history = source.config.history ?? [];
  const entry = history[index];
  if (!entry) throw notFound('cache source history entry');
  const layerIndex = history.slice(0, index).filter((h) => !h.empty_layer).length;
  const diffIds = [...(parent?.config.rootfs.diff_ids ?? [])];
  if (!entry.empty_layer) {
    const diffId = source.config.rootfs.diff_ids[layerIndex];
    if (diffId) diffIds.push(diffId);
  }
  const config: ImageConfig = {
    architecture: source.config.architecture,
    os: source.config.os,
    ...(source.config.author ? { author: source.config.author } : {}),
    created: entry.created ?? new Date().toISOString(),
    config: configs.runConfig,
    container_config: configs.key,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [...(parent?.config.history ?? []), entry],
  };
  return images.images.add(Buffer.from(JSON.stringify(config)), {
    ...(parent ? { parent: parent.id } : {}),
  });
}
