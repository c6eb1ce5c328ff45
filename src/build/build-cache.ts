import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, writeFileAtomic } from '../core/index.js';
import type { ImageRecord, ImageStore } from '../images/index.js';
import type { ContainerConfig, Digest } from '../oci/index.js';
import { createdByOf } from './run-config.js';

/**
 * The build cache. A step's result is an image whose parent is the image the step started
 * from and whose `container_config` is the step's cache key config (see run-config.ts), as
 * Docker's classic builder keeps it; a step hits the cache when such a child exists. This
 * index remembers which images builds made, when they were last used and how often, for
 * `system df` (Build Cache) and `builder prune`. It is a cache: losing it loses statistics,
 * never images.
 */
export interface CacheEntry {
  imageId: Digest;
  /** The step's history text (`/bin/sh -c #(nop)  ENV A=1`). */
  description: string;
  created: string;
  lastUsed: string;
  usageCount: number;
}

export interface BuildCacheIndex {
  entries(): CacheEntry[];
  /** A step made `imageId` (new entry) or reused it (counted). Saved by flush(). */
  used(imageId: Digest, description: string): void;
  forget(imageIds: readonly Digest[]): void;
  flush(): Promise<void>;
}

export async function openBuildCacheIndex(dir: string): Promise<BuildCacheIndex> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'cache.json');
  const entries = new Map<Digest, CacheEntry>();
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as CacheEntry[];
    for (const entry of saved) entries.set(entry.imageId, entry);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT') && !(err instanceof SyntaxError)) throw err;
  }
  let dirty = false;
  return {
    entries: () => [...entries.values()],
    used(imageId, description) {
      const now = new Date().toISOString();
      const entry = entries.get(imageId);
      if (entry) {
        entry.lastUsed = now;
        entry.usageCount++;
      } else {
        entries.set(imageId, { imageId, description, created: now, lastUsed: now, usageCount: 1 });
      }
      dirty = true;
    },
    forget(imageIds) {
      for (const id of imageIds) dirty = entries.delete(id) || dirty;
    },
    async flush() {
      if (!dirty) return;
      dirty = false;
      await writeFileAtomic(path, JSON.stringify([...entries.values()]) + '\n');
    },
  };
}

/** The fields of a cache key config that decide a hit (Docker's cache comparison). */
const KEY_FIELDS = [
  'Cmd',
  'Entrypoint',
  'Env',
  'Labels',
  'ExposedPorts',
  'Volumes',
  'WorkingDir',
  'User',
  'Shell',
  'OnBuild',
  'StopSignal',
  'Healthcheck',
  'OpenStdin',
  'Tty',
] as const;

function normalised(value: unknown): unknown {
  if (value === null || value === undefined || value === false || value === '') return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return undefined;
    return Object.fromEntries(
      keys.map((k) => [k, normalised((value as Record<string, unknown>)[k]) ?? null]),
    );
  }
  return value;
}

/** True when two cache key configs are the same for the cache. */
export function sameCacheKey(a: ContainerConfig | undefined, b: ContainerConfig): boolean {
  if (!a) return false;
  return KEY_FIELDS.every(
    (field) => JSON.stringify(normalised(a[field])) === JSON.stringify(normalised(b[field])),
  );
}

/**
 * A local child of `parent` (undefined: images without a parent, i.e. built FROM scratch)
 * recorded with this cache key, the newest if several.
 */
export function findCachedChild(
  images: ImageStore,
  parent: Digest | undefined,
  key: ContainerConfig,
): ImageRecord | undefined {
  const candidates = parent
    ? images.children(parent)
    : images.all().filter((r) => r.parent === undefined && r.config.container_config);
  let match: ImageRecord | undefined;
  for (const record of candidates) {
    if (!sameCacheKey(record.config.container_config, key)) continue;
    if (!match || match.created < record.created) match = record;
  }
  return match;
}

/** True when `ancestor` is `id` or one of its local parents. */
export function isAncestor(images: ImageStore, ancestor: Digest, id: Digest): boolean {
  for (let cur: Digest | undefined = id; cur; cur = images.get(cur)?.parent) {
    if (cur === ancestor) return true;
  }
  return false;
}

/**
 * For `--cache-from` images that were not built here (pulled or loaded): a source image
 * whose history and layers start with the parent's and whose next history entry was made by
 * the same command. Returns the source and the history index of the matching entry.
 */
export function matchCacheSource(
  sources: readonly ImageRecord[],
  parent: ImageRecord | undefined,
  key: ContainerConfig,
): { source: ImageRecord; index: number } | undefined {
  const parentHistory = parent?.config.history ?? [];
  const parentDiffs = parent?.config.rootfs.diff_ids ?? [];
  for (const source of sources) {
    const history = source.config.history ?? [];
    const diffs = source.config.rootfs.diff_ids;
    if (history.length <= parentHistory.length) continue;
    if (parentDiffs.length > diffs.length) continue;
    const prefix =
      parentHistory.every((h, i) => JSON.stringify(h) === JSON.stringify(history[i])) &&
      parentDiffs.every((d, i) => d === diffs[i]);
    if (!prefix) continue;
    if (history[parentHistory.length]?.created_by !== createdByOf(key)) continue;
    return { source, index: parentHistory.length };
  }
  return undefined;
}
