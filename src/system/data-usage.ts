import type { BuildCacheUsage } from '../build/index.js';
import type { ContainerService, ContainerView } from '../containers/index.js';
import type { ImageService, ImageView, Images } from '../images/index.js';
import type { Digest } from '../oci/index.js';
import type { VolumeRecord, VolumeService } from '../volumes/index.js';

/** What `GET /system/df` reports, in domain terms (the route writes Docker's shape). */
export interface DataUsage {
  /** Bytes of all distinct layers; undefined when images were not asked for. */
  layersSize?: number;
  images?: Array<{ view: ImageView; sharedSize: number; containers: number }>;
  containers?: ContainerView[];
  volumes?: Array<{ record: VolumeRecord; mountpoint: string; size: number; refCount: number }>;
  buildCache?: BuildCacheUsage[];
}

export type DataUsageKind = 'image' | 'container' | 'volume' | 'build-cache';

/**
 * The engine's disk usage as Docker's df counts it: the top images (as `docker images` lists
 * them: a build's intermediate images are not counted), each with its size and the part it
 * shares with other top images (layers used by more than one), the layers' total once each,
 * containers with their writable layer (SizeRw) and whole filesystem (SizeRootFs), volumes
 * with the bytes of their data and how many containers reference them.
 */
export async function dataUsage(
  parts: {
    images: ImageService;
    stores: Images;
    containers: ContainerService;
    volumes: VolumeService;
    buildCache: () => Promise<BuildCacheUsage[]>;
  },
  kinds: ReadonlySet<DataUsageKind>,
): Promise<DataUsage> {
  const out: DataUsage = {};
  const records = parts.containers.list({ all: true, filters: {} });
  if (kinds.has('image')) {
    const views = await parts.images.list({ all: false });
    const users = new Map<Digest, number>();
    for (const r of records) users.set(r.imageId, (users.get(r.imageId) ?? 0) + 1);
    const layerSizes = new Map<Digest, number>();
    const layerUse = new Map<Digest, number>();
    for (const view of views) {
      for (const chainId of parts.stores.images.get(view.id)?.layers ?? []) {
        layerUse.set(chainId, (layerUse.get(chainId) ?? 0) + 1);
        if (!layerSizes.has(chainId)) {
          layerSizes.set(chainId, (await parts.stores.layers.get(chainId))?.size ?? 0);
        }
      }
    }
    out.layersSize = [...layerSizes.values()].reduce((a, b) => a + b, 0);
    out.images = views.map((view) => ({
      view,
      sharedSize: (parts.stores.images.get(view.id)?.layers ?? [])
        .filter((chainId) => (layerUse.get(chainId) ?? 0) > 1)
        .reduce((sum, chainId) => sum + (layerSizes.get(chainId) ?? 0), 0),
      containers: users.get(view.id) ?? 0,
    }));
  }
  if (kinds.has('build-cache')) out.buildCache = await parts.buildCache();
  if (kinds.has('container')) {
    out.containers = await Promise.all(
      records.map((r) => parts.containers.view(r.id, { size: true })),
    );
  }
  if (kinds.has('volume')) {
    out.volumes = await Promise.all(
      parts.volumes.list({}).map(async (record) => ({
        record,
        mountpoint: parts.volumes.dataDir(record.name),
        // Docker does not measure volumes its driver mounts (type/device/o): -1.
        size: record.options?.['device'] ? -1 : await parts.volumes.size(record.name),
        refCount: parts.volumes.usersOf(record.name).length,
      })),
    );
  }
  return out;
}
