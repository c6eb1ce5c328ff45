import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createMutex, hasErrno, writeFileAtomic } from '../core/index.js';
import type { Digest } from '../oci/index.js';

/**
 * Names of images: full references (`docker.io/library/busybox:latest`, or `...@sha256:...`
 * for digests) mapped to image ids. Kept in memory and in one small file rewritten atomically
 * under a mutex; reads never wait.
 */
export interface ReferenceStore {
  /** The image a full reference names. */
  get(ref: string): Digest | undefined;
  /** Tag references (`name:tag`) of an image, sorted. */
  tagsOf(id: Digest): string[];
  /** Digest references (`name@sha256:...`) of an image, sorted. */
  digestsOf(id: Digest): string[];
  /** Points `ref` at `id` (moving it from any other image). */
  set(ref: string, id: Digest): Promise<void>;
  /** Removes references; returns those that existed. */
  delete(refs: string[]): Promise<string[]>;
  /** Removes every reference to `id`. */
  deleteImage(id: Digest): Promise<string[]>;
  entries(): [string, Digest][];
}

interface ReferenceFile {
  refs: Record<string, Digest>;
}

export async function openReferenceStore(dir: string): Promise<ReferenceStore> {
  const path = join(dir, 'references.json');
  const refs = new Map<string, Digest>();
  try {
    const file = JSON.parse(await readFile(path, 'utf8')) as ReferenceFile;
    for (const [ref, id] of Object.entries(file.refs)) refs.set(ref, id);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  const mutex = createMutex();
  const persist = () =>
    writeFileAtomic(path, JSON.stringify({ refs: Object.fromEntries([...refs].sort()) }) + '\n');
  const of = (id: Digest, digests: boolean) =>
    [...refs]
      .filter(([ref, target]) => target === id && ref.includes('@') === digests)
      .map(([ref]) => ref)
      .sort();

  return {
    get: (ref) => refs.get(ref),
    tagsOf: (id) => of(id, false),
    digestsOf: (id) => of(id, true),
    entries: () => [...refs],
    set: (ref, id) =>
      mutex.run(async () => {
        if (refs.get(ref) === id) return;
        refs.set(ref, id);
        await persist();
      }),
    delete: (wanted) =>
      mutex.run(async () => {
        const removed = wanted.filter((ref) => refs.delete(ref));
        if (removed.length > 0) await persist();
        return removed;
      }),
    deleteImage: (id) =>
      mutex.run(async () => {
        const removed = [...refs].filter(([, target]) => target === id).map(([ref]) => ref);
        for (const ref of removed) refs.delete(ref);
        if (removed.length > 0) await persist();
        return removed;
      }),
  };
}
