import { readFile } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';
import type { Digest } from '../oci/index.js';
import { referencedDigests } from './manifest-references.js';
import type { RegistryStorage } from './registry-storage.js';

/** Uploads untouched this long are abandoned (a day; clients resume within minutes). */
export const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

/**
 * `moor registry gc`: mark every blob a repository's manifests reach (the manifests
 * themselves, their configs and layers, an index's manifests), then remove the rest with
 * their links, and the uploads abandoned for `uploadAgeMs`. Returns the removed digests.
 */
export async function collectGarbage(
  storage: RegistryStorage,
  options: { dryRun?: boolean; uploadAgeMs?: number } = {},
): Promise<Digest[]> {
  const marked = new Set<Digest>();
  for (const name of await storage.repositories()) {
    for (const digest of await storage.manifests(name)) {
      marked.add(digest);
      const mediaType = (await storage.manifestType(name, digest)) ?? '';
      let body: unknown;
      try {
        body = JSON.parse(await readFile(storage.blobPath(digest), 'utf8'));
      } catch (err) {
        // A manifest blob gone or unreadable reaches nothing.
        if (err instanceof SyntaxError || hasErrno(err, 'ENOENT')) continue;
        throw err;
      }
      const refs = referencedDigests(body, mediaType);
      for (const ref of [...(refs?.blobs ?? []), ...(refs?.manifests ?? [])]) marked.add(ref);
    }
  }
  const removed = (await storage.blobs()).filter((digest) => !marked.has(digest));
  if (options.dryRun) return removed;
  for (const digest of removed) await storage.deleteBlob(digest);
  for (const uuid of await storage.staleUploads(options.uploadAgeMs ?? ABANDONED_UPLOAD_MS)) {
    await storage.cancelUpload(uuid);
  }
  return removed;
}
