import type { ContainerService } from '../containers/index.js';
import { invalidArgument } from '../core/index.js';
import { type ImageRecord, type Images, unusedLayers } from '../images/index.js';
import { type Digest, parseFilterTime } from '../oci/index.js';
import { type BuildCacheIndex, type CacheEntry, isAncestor } from './build-cache.js';

/** A build cache record as `system df` shows it (Docker's BuildCache, camelCase). */
export interface BuildCacheUsage {
  id: string;
  parent: string | undefined;
  description: string;
  inUse: boolean;
  shared: boolean;
  size: number;
  createdAt: string;
  lastUsedAt: string;
  usageCount: number;
}

interface Deps {
  images: Images;
  containers: ContainerService;
}

interface Live {
  entry: CacheEntry;
  image: ImageRecord;
  tagged: boolean;
  /** An ancestor of a tagged image: its layers live on in that image. */
  shared: boolean;
  inUse: boolean;
  size: number;
}

/** The cache entries whose image still exists, with what holds them. */
async function liveEntries(deps: Deps, cache: BuildCacheIndex): Promise<Live[]> {
  const { images, refs, layers } = deps.images;
  const tagged = images.all().filter((r) => refs.tagsOf(r.id).length > 0);
  const gone: Digest[] = [];
  const live: Live[] = [];
  for (const entry of cache.entries()) {
    const image = images.get(entry.imageId);
    if (!image) {
      gone.push(entry.imageId);
      continue;
    }
    const history = image.config.history ?? [];
    const addedLayer = history.length > 0 && history[history.length - 1]?.empty_layer !== true;
    const size = addedLayer && image.topLayer ? ((await layers.get(image.topLayer))?.size ?? 0) : 0;
    live.push({
      entry,
      image,
      tagged: refs.tagsOf(image.id).length > 0,
      shared: tagged.some((t) => t.id !== image.id && isAncestor(images, image.id, t.id)),
      inUse: deps.containers.containerUsing(image.id) !== undefined,
      size,
    });
  }
  cache.forget(gone);
  return live;
}

export async function buildCacheUsage(
  deps: Deps,
  cache: BuildCacheIndex,
): Promise<BuildCacheUsage[]> {
  const live = await liveEntries(deps, cache);
  await cache.flush();
  return live
    .filter((l) => !l.tagged)
    .map((l) => ({
      id: l.image.id.slice(7, 32),
      parent: l.image.parent?.slice(7, 32),
      description: l.entry.description,
      inUse: l.inUse,
      shared: l.shared,
      size: l.size,
      createdAt: l.entry.created,
      lastUsedAt: l.entry.lastUsed,
      usageCount: l.entry.usageCount,
    }));
}

/**
 * `builder prune`: removes the untagged step images of builds that no container uses —
 * without `all`, only those no tagged image builds on — newest last, children before
 * parents; `until` keeps the recently used; `keepStorage` keeps the most recently used up
 * to that many bytes. Returns the removed records and the bytes their layers freed.
 */
export async function pruneBuildCache(
  deps: Deps,
  cache: BuildCacheIndex,
  options: { all: boolean; filters: Record<string, string[]>; keepStorage: number },
): Promise<{ deleted: string[]; reclaimed: number }> {
  for (const key of Object.keys(options.filters)) {
    if (key !== 'until') throw invalidArgument(`invalid filter '${key}'`);
  }
  const until = options.filters['until']?.map((u) => Number(parseFilterTime(u) / 1_000_000n));
  const live = (await liveEntries(deps, cache)).filter(
    (l) => !l.tagged && !l.inUse && (options.all || !l.shared),
  );
  let candidates = live.filter(
    (l) => !until || until.every((t) => new Date(l.entry.lastUsed).getTime() < t),
  );
  if (options.keepStorage > 0) {
    let kept = 0;
    const byRecent = [...candidates].sort((a, b) =>
      b.entry.lastUsed.localeCompare(a.entry.lastUsed),
    );
    const keep = new Set<Live>();
    for (const l of byRecent) {
      if (kept + l.size > options.keepStorage) break;
      kept += l.size;
      keep.add(l);
    }
    candidates = candidates.filter((l) => !keep.has(l));
  }
  const { images } = deps.images;
  // Children first, so that each removal sees its parent still there.
  const depth = (r: ImageRecord) => r.config.history?.length ?? 0;
  candidates.sort((a, b) => depth(b.image) - depth(a.image));
  const deleted: string[] = [];
  for (const l of candidates) {
    await images.delete(l.image.id);
    deleted.push(l.image.id.slice(7, 32));
  }
  cache.forget(candidates.map((l) => l.image.id));
  await cache.flush();
  let reclaimed = 0;
  for (const layer of await unusedLayers(images, deps.images.layers, deps.images.pinned)) {
    await deps.images.layers.remove(layer.chainId);
    reclaimed += layer.size;
  }
  return { deleted, reclaimed };
}
