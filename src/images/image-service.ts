import type { ContentStore } from '../content/index.js';
import { invalidArgument } from '../core/index.js';
import type { LayerStore } from '../layers/index.js';
import {
  type Digest,
  type ImageConfig,
  familiarString,
  formatReference,
  parseReference,
  withDefaultTag,
} from '../oci/index.js';
import {
  type Filters,
  boolFilter,
  checkFilterKeys,
  createdBefore,
  matchesLabels,
  matchingReferences,
  parseUntil,
} from './image-filters.js';
import { resolveImage } from './image-resolve.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import type { ReferenceStore } from './reference-store.js';

/** An image as the API shows it. */
export interface ImageView {
  id: Digest;
  config: ImageConfig;
  parent: Digest | undefined;
  created: Date;
  lastTagTime: string | undefined;
  /** Familiar forms: `busybox:latest`, `localhost:5000/x@sha256:...`. */
  repoTags: string[];
  repoDigests: string[];
  /** Bytes of all its layers' content. */
  size: number;
  diffIds: Digest[];
  driver: string;
  /** The storage driver's directories, for GraphDriver.Data. */
  driverData: Record<string, string> | null;
}

export interface HistoryItem {
  id: string;
  created: Date;
  createdBy: string;
  tags: string[];
  size: number;
  comment: string;
}

/** What images need from the rest of the engine (containers register themselves later). */
export interface ImageUsage {
  /** A container using the image, if any. */
  containerUsing(id: Digest): string | undefined;
}

/** Everything the image operations share: stores, usage, and layers pinned by operations. */
export interface ImageContext {
  images: ImageStore;
  refs: ReferenceStore;
  layers: LayerStore;
  content: ContentStore;
  usage: ImageUsage;
  /** Chain ids in use by an operation in flight (a load or import not yet recorded). */
  pinned: Map<Digest, number>;
}

export function familiar(ref: string): string {
  return familiarString(parseReference(ref));
}

async function layerSizes(ctx: ImageContext, record: ImageRecord): Promise<number> {
  let size = 0;
  for (const chainId of record.layers) size += (await ctx.layers.get(chainId))?.size ?? 0;
  return size;
}

export async function viewImage(ctx: ImageContext, record: ImageRecord): Promise<ImageView> {
  const lower = record.topLayer ? await ctx.layers.lowerDirs(record.topLayer) : [];
  return {
    id: record.id,
    config: record.config,
    parent: record.parent,
    created: record.created,
    lastTagTime: record.lastTagTime,
    repoTags: ctx.refs.tagsOf(record.id).map(familiar),
    repoDigests: ctx.refs.digestsOf(record.id).map(familiar),
    size: await layerSizes(ctx, record),
    diffIds: record.config.rootfs.diff_ids,
    driver: ctx.layers.driver,
    driverData:
      lower.length === 0
        ? null
        : ctx.layers.driver === 'vfs'
          ? { Dir: lower[0] as string }
          : { LowerDir: lower.slice(1).join(':'), UpperDir: lower[0] as string },
  };
}

export async function inspectImage(ctx: ImageContext, name: string): Promise<ImageView> {
  const { id } = resolveImage(ctx.images, ctx.refs, name);
  return viewImage(ctx, ctx.images.get(id) as ImageRecord);
}

/** Images without a name whose only purpose is to be the parent of another (build steps). */
function isIntermediate(ctx: ImageContext, record: ImageRecord): boolean {
  return ctx.refs.tagsOf(record.id).length === 0 && ctx.images.children(record.id).length > 0;
}

export async function listImages(
  ctx: ImageContext,
  options: { all?: boolean; filters?: Filters } = {},
): Promise<ImageView[]> {
  const filters = options.filters ?? {};
  checkFilterKeys(filters);
  const dangling = boolFilter(filters, 'dangling');
  const limitOf = (key: 'before' | 'since') =>
    filters[key]?.map((n) =>
      (ctx.images.get(resolveImage(ctx.images, ctx.refs, n).id) as ImageRecord).created.getTime(),
    );
  const before = limitOf('before');
  const since = limitOf('since');
  const until = filters['until']?.map((u) => parseUntil(u));
  const selected = ctx.images.all().filter((record) => {
    const tags = ctx.refs.tagsOf(record.id);
    if (!options.all && isIntermediate(ctx, record)) return false;
    if (dangling !== undefined && (tags.length === 0) !== dangling) return false;
    if (filters['label'] && !matchesLabels(record.config.config?.Labels, filters['label']))
      return false;
    if (before && !before.every((t) => createdBefore(record, t))) return false;
    if (since && !since.every((t) => record.created.getTime() > t)) return false;
    if (until && !until.every((t) => createdBefore(record, t))) return false;
    return true;
  });
  selected.sort((a, b) => b.created.getTime() - a.created.getTime());
  const views = await Promise.all(selected.map((r) => viewImage(ctx, r)));
  const patterns = filters['reference'];
  if (!patterns) return views;
  return views
    .map((view) => ({ ...view, repoTags: matchingReferences(view.repoTags, patterns) }))
    .filter((view) => view.repoTags.length > 0);
}

/**
 * History, newest first, as docker shows it: one row per history entry; rows are named after
 * the local image they end (the image itself, then its parents) and `<missing>` otherwise.
 */
export async function imageHistory(ctx: ImageContext, name: string): Promise<HistoryItem[]> {
  const { id } = resolveImage(ctx.images, ctx.refs, name);
  const record = ctx.images.get(id) as ImageRecord;
  const history = record.config.history ?? [];
  const ends = new Map<number, ImageRecord>();
  for (
    let r: ImageRecord | undefined = record;
    r;
    r = r.parent ? ctx.images.get(r.parent) : undefined
  ) {
    ends.set((r.config.history ?? []).length - 1, r);
  }
  const items: HistoryItem[] = [];
  let layerIndex = 0;
  for (let i = 0; i < history.length; i++) {
    const entry = history[i] as NonNullable<ImageConfig['history']>[number];
    let size = 0;
    if (!entry.empty_layer) {
      const chainId = record.layers[layerIndex++];
      if (chainId) size = (await ctx.layers.get(chainId))?.size ?? 0;
    }
    const owner = ends.get(i);
    items.push({
      id: owner ? owner.id : '<missing>',
      created: new Date(entry.created ?? 0),
      createdBy: entry.created_by ?? '',
      tags: owner ? ctx.refs.tagsOf(owner.id).map(familiar) : [],
      size,
      comment: entry.comment ?? '',
    });
  }
  return items.reverse();
}

/** Normalises a tag target: default tag `latest`; digests are refused as Docker does. */
export function tagReference(repo: string, tag: string | undefined): string {
  const ref = parseReference(tag ? `${repo}:${tag}` : repo);
  if (ref.digest) throw invalidArgument('refusing to create a tag with a digest reference');
  return formatReference(withDefaultTag(ref));
}

export async function tagImage(ctx: ImageContext, source: string, target: string): Promise<void> {
  const { id } = resolveImage(ctx.images, ctx.refs, source);
  await ctx.refs.set(target, id);
  await ctx.images.setLastTagTime(id, new Date());
}
