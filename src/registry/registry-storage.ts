import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { hasErrno, pathExists, writeFileAtomic } from '../core/index.js';
import { type Digest, digestHex, isDigest } from '../oci/index.js';

/**
 * A registry's files (`--root`):
 *   blobs/sha256/<hex>                             content, read-only once in place
 *   uploads/<uuid>                                 an upload in progress (its bytes so far)
 *   repositories/<name>/_layers/<hex>              the blob is linked into the repository
 *   repositories/<name>/_manifests/revisions/<hex> the manifest (a blob) is in the repository
 *   repositories/<name>/_manifests/tags/<tag>      the tag's manifest digest
 * A blob appears by one rename after its digest was checked and its bytes synced, so no
 * partial or corrupt blob is ever visible; links and tags are written atomically.
 */
export interface RegistryStorage {
  root: string;
  blobPath(digest: Digest): string;
  blobSize(digest: Digest): Promise<number | undefined>;
  /** Whether the repository may serve the blob (it was pushed or mounted there). */
  hasLink(name: string, digest: Digest): Promise<boolean>;
  link(name: string, digest: Digest): Promise<void>;
  unlink(name: string, digest: Digest): Promise<boolean>;
  startUpload(): Promise<string>;
  /**
   * Appends to an upload; returns its new size, undefined when the upload is unknown, or -1
   * when `at` (where the client says the data starts) is not the upload's current size.
   */
  appendUpload(uuid: string, data: AsyncIterable<Buffer>, at?: number): Promise<number | undefined>;
  uploadSize(uuid: string): Promise<number | undefined>;
  /**
   * Completes an upload: its bytes must hash to `digest` (else 'mismatch', and the upload is
   * dropped); the blob is then moved into place.
   */
  commitUpload(uuid: string, digest: Digest): Promise<'ok' | 'mismatch' | 'unknown'>;
  cancelUpload(uuid: string): Promise<boolean>;
  /** Uploads not written to for `ageMs`: abandoned by their clients. */
  staleUploads(ageMs: number): Promise<string[]>;
  /** Stores a small blob (a manifest) from memory. */
  putBlob(data: Buffer): Promise<Digest>;
  tag(name: string, tag: string, digest: Digest): Promise<void>;
  resolveTag(name: string, tag: string): Promise<Digest | undefined>;
  tags(name: string): Promise<string[] | undefined>;
  untagDigest(name: string, digest: Digest): Promise<void>;
  /** The media type the manifest was pushed with; undefined when not in the repository. */
  manifestType(name: string, digest: Digest): Promise<string | undefined>;
  linkManifest(name: string, digest: Digest, mediaType: string): Promise<void>;
  unlinkManifest(name: string, digest: Digest): Promise<boolean>;
  repositories(): Promise<string[]>;
  /** The manifests linked into a repository. */
  manifests(name: string): Promise<Digest[]>;
  /** Every blob in the store. */
  blobs(): Promise<Digest[]>;
  /** Removes a blob and every repository's link to it. */
  deleteBlob(digest: Digest): Promise<void>;
}

async function removeIfThere(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}

const UUID = /^[0-9a-f-]{36}$/;

export async function openRegistryStorage(root: string): Promise<RegistryStorage> {
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  await mkdir(join(root, 'uploads'), { recursive: true });
  await mkdir(join(root, 'repositories'), { recursive: true });
  const repo = (name: string) => join(root, 'repositories', name);
  const blobPath = (digest: Digest) => join(root, 'blobs', 'sha256', digestHex(digest));
  const uploadPath = (uuid: string) => join(root, 'uploads', uuid);
  const layerLink = (name: string, digest: Digest) =>
    join(repo(name), '_layers', digestHex(digest));
  const revision = (name: string, digest: Digest) =>
    join(repo(name), '_manifests', 'revisions', digestHex(digest));
  const tagPath = (name: string, tag: string) => join(repo(name), '_manifests', 'tags', tag);
  const marker = async (path: string) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, '');
  };

  const hexNames = async (dir: string): Promise<Digest[]> => {
    try {
      return (await readdir(dir))
        .map((hex) => `sha256:${hex}`)
        .filter((d): d is Digest => isDigest(d));
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return [];
      throw err;
    }
  };

  const storage: RegistryStorage = {
    manifests: (name) => hexNames(join(repo(name), '_manifests', 'revisions')),
    blobs: () => hexNames(join(root, 'blobs', 'sha256')),
    async deleteBlob(digest) {
      for (const name of await storage.repositories()) await storage.unlink(name, digest);
      await removeIfThere(blobPath(digest));
    },
    root,
    blobPath,
    async blobSize(digest) {
      try {
        return (await stat(blobPath(digest))).size;
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) return undefined;
        throw err;
      }
    },
    hasLink: async (name, digest) =>
      (await pathExists(layerLink(name, digest))) || (await pathExists(revision(name, digest))),
    link: (name, digest) => marker(layerLink(name, digest)),
    unlink: (name, digest) => removeIfThere(layerLink(name, digest)),
    async startUpload() {
      const uuid = randomUUID();
      await writeFileAtomic(uploadPath(uuid), '');
      return uuid;
    },
    async appendUpload(uuid, data, at) {
      if (!UUID.test(uuid)) return undefined;
      const size = await storage.uploadSize(uuid);
      if (size === undefined) return undefined;
      if (at !== undefined && at !== size) return -1;
      await pipeline(data, createWriteStream(uploadPath(uuid), { flags: 'a' }));
      return await storage.uploadSize(uuid);
    },
    async uploadSize(uuid) {
      if (!UUID.test(uuid)) return undefined;
      try {
        return (await stat(uploadPath(uuid))).size;
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) return undefined;
        throw err;
      }
    },
    async commitUpload(uuid, digest) {
      if ((await storage.uploadSize(uuid)) === undefined) return 'unknown';
      const path = uploadPath(uuid);
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      if (`sha256:${hash.digest('hex')}` !== digest) {
        await rm(path, { force: true });
        return 'mismatch';
      }
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(path, blobPath(digest));
      return 'ok';
    },
    cancelUpload: async (uuid) => UUID.test(uuid) && (await removeIfThere(uploadPath(uuid))),
    async staleUploads(ageMs) {
      const stale: string[] = [];
      for (const uuid of await readdir(join(root, 'uploads'))) {
        if (!UUID.test(uuid)) continue;
        const info = await stat(uploadPath(uuid)).catch((err: unknown) => {
          if (hasErrno(err, 'ENOENT')) return undefined;
          throw err;
        });
        if (info && Date.now() - info.mtimeMs >= ageMs) stale.push(uuid);
      }
      return stale;
    },
    async putBlob(data) {
      const digest: Digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      if (!(await pathExists(blobPath(digest)))) await writeFileAtomic(blobPath(digest), data);
      return digest;
    },
    async tag(name, tag, digest) {
      await mkdir(dirname(tagPath(name, tag)), { recursive: true });
      await writeFileAtomic(tagPath(name, tag), digest);
    },
    async resolveTag(name, tag) {
      try {
        const text = (await readFile(tagPath(name, tag), 'utf8')).trim();
        return isDigest(text) ? text : undefined;
      } catch (err) {
        if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
        throw err;
      }
    },
    async tags(name) {
      if (!(await pathExists(join(repo(name), '_manifests')))) return undefined;
      try {
        return (await readdir(join(repo(name), '_manifests', 'tags')))
          .filter((t) => !t.startsWith('.'))
          .sort();
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) return [];
        throw err;
      }
    },
    async untagDigest(name, digest) {
      for (const tag of (await storage.tags(name)) ?? []) {
        if ((await storage.resolveTag(name, tag)) === digest) {
          await removeIfThere(tagPath(name, tag));
        }
      }
    },
    async manifestType(name, digest) {
      try {
        return await readFile(revision(name, digest), 'utf8');
      } catch (err) {
        if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
        throw err;
      }
    },
    async linkManifest(name, digest, mediaType) {
      await mkdir(dirname(revision(name, digest)), { recursive: true });
      await writeFileAtomic(revision(name, digest), mediaType);
    },
    unlinkManifest: (name, digest) => removeIfThere(revision(name, digest)),
    async repositories() {
      const out: string[] = [];
      const walk = async (rel: string): Promise<void> => {
        const dir = join(root, 'repositories', rel);
        let names: string[];
        try {
          names = await readdir(dir);
        } catch (err) {
          if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return;
          throw err;
        }
        if (names.includes('_manifests')) out.push(rel);
        for (const child of names) {
          if (!child.startsWith('_')) await walk(rel === '' ? child : `${rel}/${child}`);
        }
      };
      await walk('');
      return out.sort();
    },
  };
  return storage;
}
