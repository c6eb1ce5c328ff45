import { conflict } from '../core/index.js';
import { type Digest, shortId } from '../oci/index.js';
import {
  type Filters,
  boolFilter,
  checkFilterKeys,
  matchesLabels,
  parseUntil,
} from './image-filters.js';
import { resolveImage } from './image-resolve.js';
import { type ImageContext, familiar } from './image-service.js';
import type { ImageRecord } from './image-store.js';

export type DeleteItem = { untagged: string } | { deleted: Digest };

/** Chain ids any image still needs, plus those pinned by operations in flight. */
function layersInUse(ctx: ImageContext): Set<Digest> {
  const used = new Set<Digest>(ctx.pinned.keys());
  for (const record of ctx.images.all()) for (const chainId of record.layers) used.add(chainId);
  return used;
}

/**
 * Removes the given layers (top first) that nothing uses any more; returns the bytes freed.
 * A layer another layer still builds on is kept.
 */
export async function releaseLayers(ctx: ImageContext, candidates: Digest[]): Promise<number> {
  const used = layersInUse(ctx);
  let freed = 0;
  for (const chainId of [...candidates].reverse()) {
    if (used.has(chainId)) continue;
    const layer = await ctx.layers.get(chainId);
    if (!layer) continue;
    const hasChild = (await ctx.layers.list()).some((l) => l.parent === chainId);
    if (hasChild) continue;
    await ctx.layers.remove(chainId);
    freed += layer.size;
  }
  return freed;
}

/** Deletes an unnamed image record and its unused layers. */
async function deleteRecord(ctx: ImageContext, record: ImageRecord): Promise<number> {
  await ctx.images.delete(record.id);
  return releaseLayers(ctx, record.layers);
}

/** Walks up the parent chain deleting parents that are now unnamed, unused and childless. */
async function pruneParents(
  ctx: ImageContext,
  start: Digest | undefined,
  out: DeleteItem[],
): Promise<number> {
  let freed = 0;
  for (let id = start; id;) {
    const parent = ctx.images.get(id);
    if (!parent) break;
    const named = ctx.refs.tagsOf(id).length + ctx.refs.digestsOf(id).length > 0;
    if (named || ctx.images.children(id).length > 0 || ctx.usage.containerUsing(id)) break;
    freed += await deleteRecord(ctx, parent);
    out.push({ deleted: id });
    id = parent.parent;
  }
  return freed;
}

export interface RemoveOptions {
  force?: boolean;
  noprune?: boolean;
}

/**
 * `docker rmi` semantics: removing one of several names only untags; removing the last name
 * (or the id) deletes the image and its unused layers, then untagged parents (unless
 * `noprune`). An image that other images build on is only untagged when named, and refused
 * when given by id. Conflicts are checked before anything changes.
 */
export async function removeImage(
  ctx: ImageContext,
  name: string,
  options: RemoveOptions = {},
): Promise<{ items: DeleteItem[]; freed: number }> {
  const { id, ref } = resolveImage(ctx.images, ctx.refs, name);
  const record = ctx.images.get(id) as ImageRecord;
  const allRefs = [...ctx.refs.tagsOf(id), ...ctx.refs.digestsOf(id)];
  const user = ctx.usage.containerUsing(id);
  const children = ctx.images.children(id);

  let untag: string[];
  if (ref !== undefined) {
    const rest = allRefs.filter((r) => r !== ref);
    // The last tag takes the image's digest references with it.
    untag = rest.some((r) => !r.includes('@')) ? [ref] : allRefs;
    if (untag.length === allRefs.length && user && !options.force) {
      throw conflict(
        `conflict: unable to remove repository reference "${name}" (must force) - container ${shortId(user)} is using its referenced image ${shortId(id)}`,
      );
    }
  } else {
    if (children.length > 0) {
      throw conflict(
        `conflict: unable to delete ${shortId(id)} (cannot be forced) - image has dependent child images`,
      );
    }
    if (user && !options.force) {
      throw conflict(
        `conflict: unable to delete ${shortId(id)} (must be forced) - image is being used by container ${shortId(user)}`,
      );
    }
    if (ctx.refs.tagsOf(id).length > 1 && !options.force) {
      throw conflict(
        `conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    untag = allRefs;
  }

  const items: DeleteItem[] = (await ctx.refs.delete(untag)).map((r) => ({
    untagged: familiar(r),
  }));
  const remaining = ctx.refs.tagsOf(id).length + ctx.refs.digestsOf(id).length;
  if (remaining > 0 || children.length > 0 || user) return { items, freed: 0 };
  let freed = await deleteRecord(ctx, record);
  items.push({ deleted: id });
  if (!options.noprune) freed += await pruneParents(ctx, record.parent, items);
  return { items, freed };
}

/** `POST /images/prune`: dangling images by default; `dangling=false` for every unused image. */
export async function pruneImages(
  ctx: ImageContext,
  filters: Filters = {},
): Promise<{ items: DeleteItem[]; freed: number }> {
  checkFilterKeys(filters, ['dangling', 'label', 'label!', 'until']);
  const danglingOnly = boolFilter(filters, 'dangling') ?? true;
  const until = filters['until']?.map((u) => parseUntil(u));
  const items: DeleteItem[] = [];
  let freed = 0;
  const candidates = ctx.images.all().filter((record) => {
    if (ctx.usage.containerUsing(record.id) || ctx.images.children(record.id).length > 0)
      return false;
    if (danglingOnly && ctx.refs.tagsOf(record.id).length > 0) return false;
    const labels = record.config.config?.Labels;
    if (filters['label'] && !matchesLabels(labels, filters['label'])) return false;
    if (filters['label!']?.some((l) => matchesLabels(labels, [l]))) return false;
    if (until && !until.every((t) => record.created.getTime() < t)) return false;
    return true;
  });
  for (const record of candidates) {
    if (!ctx.images.get(record.id)) continue;
    const result = await removeImage(ctx, record.id, { force: true });
    items.push(...result.items);
    freed += result.freed;
  }
  return { items, freed };
}
