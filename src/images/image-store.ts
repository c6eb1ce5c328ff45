import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, isAtomicTempFile, writeFileAtomic } from '../core/index.js';
import type { ContentStore } from '../content/index.js';
import {
  type Digest,
  type ImageConfig,
  chainIds,
  digestHex,
  isDigest,
  parseImageConfig,
} from '../oci/index.js';

/** A local image: its config (id = config digest) and what moor knows about it locally. */
export interface ImageRecord {
  id: Digest;
  config: ImageConfig;
  /** The image it was built or committed from, when local. */
  parent: Digest | undefined;
  /** Chain id of the top layer (undefined for an image without layers). */
  topLayer: Digest | undefined;
  /** Every chain id of the image, bottom first. */
  layers: Digest[];
  created: Date;
  lastTagTime: string | undefined;
}

interface MetaFile {
  parent?: Digest;
  lastTagTime?: string;
}

/**
 * Image records: config blobs live in the content store; a small meta file per image
 * (`meta/<hex>.json`) marks it as an image and holds local facts. The meta file is written
 * last, so an image exists only once everything it needs is stored.
 */
export interface ImageStore {
  get(id: Digest): ImageRecord | undefined;
  all(): ImageRecord[];
  /** Local images whose parent is `id`. */
  children(id: Digest): ImageRecord[];
  /** Stores a config blob and records it as an image (idempotent). */
  add(configBytes: Buffer, options?: { parent?: Digest }): Promise<ImageRecord>;
  setLastTagTime(id: Digest, time: Date): Promise<void>;
  /** Forgets the image record (its config blob too); layers are the caller's business. */
  delete(id: Digest): Promise<void>;
}

function recordOf(id: Digest, config: ImageConfig, meta: MetaFile): ImageRecord {
  const layers = chainIds(config.rootfs.diff_ids);
  const created = config.created ? new Date(config.created) : new Date(0);
  return {
    id,
    config,
    parent: meta.parent,
    topLayer: layers[layers.length - 1],
    layers,
    created: Number.isNaN(created.getTime()) ? new Date(0) : created,
    lastTagTime: meta.lastTagTime,
  };
}

export async function openImageStore(dir: string, content: ContentStore): Promise<ImageStore> {
  const metaDir = join(dir, 'meta');
  await mkdir(metaDir, { recursive: true });
  const records = new Map<Digest, ImageRecord>();
  const metaPath = (id: Digest) => join(metaDir, `${digestHex(id)}.json`);

  for (const name of await readdir(metaDir)) {
    if (isAtomicTempFile(name)) {
      await unlink(join(metaDir, name));
      continue;
    }
    const id = `sha256:${name.replace(/\.json$/, '')}`;
    if (!isDigest(id)) continue;
    const meta = JSON.parse(await readFile(join(metaDir, name), 'utf8')) as MetaFile;
    const config = parseImageConfig(await content.readBuffer(id));
    records.set(id, recordOf(id, config, meta));
  }

  const writeMeta = (record: ImageRecord) => {
    const meta: MetaFile = {};
    if (record.parent) meta.parent = record.parent;
    if (record.lastTagTime) meta.lastTagTime = record.lastTagTime;
    return writeFileAtomic(metaPath(record.id), JSON.stringify(meta) + '\n');
  };

  return {
    get: (id) => records.get(id),
    all: () => [...records.values()],
    children: (id) => [...records.values()].filter((r) => r.parent === id),
    async add(configBytes, options = {}) {
      const config = parseImageConfig(configBytes);
      const { digest } = await content.write(configBytes);
      const existing = records.get(digest);
      if (existing) return existing;
      const record = recordOf(digest, config, options.parent ? { parent: options.parent } : {});
      await writeMeta(record);
      records.set(digest, record);
      return record;
    },
    async setLastTagTime(id, time) {
      const record = records.get(id);
      if (!record) return;
      record.lastTagTime = time.toISOString();
      await writeMeta(record);
    },
    async delete(id) {
      records.delete(id);
      await unlink(metaPath(id)).catch((err: unknown) => {
        if (!hasErrno(err, 'ENOENT')) throw err;
      });
      await content.delete(id);
    },
  };
}
