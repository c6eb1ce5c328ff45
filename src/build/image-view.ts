import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { ImageRecord, Images } from '../images/index.js';
import { mountOverlay, unmount } from '../sys/index.js';
import type { ImageView } from './build-run.js';

/**
 * An image's files, read-only, for COPY --from and for reading a stage's passwd and group
 * files: a single layer (or vfs's full tree) is read in place; several are mounted as a
 * read-only overlay under `tmpDir`, unmounted by release().
 */
export async function openImageView(
  images: Images,
  image: ImageRecord | undefined,
  tmpDir: string,
): Promise<ImageView> {
  const dirs = image?.topLayer ? await images.layers.lowerDirs(image.topLayer) : [];
  if (dirs.length === 1) return { root: dirs[0] as string, release: () => Promise.resolve() };
  await mkdir(tmpDir, { recursive: true });
  const target = await mkdtemp(join(tmpDir, 'view-'));
  if (dirs.length === 0) {
    return { root: target, release: () => rm(target, { recursive: true, force: true }) };
  }
  await mountOverlay({ lowerDirs: dirs, target });
  return {
    root: target,
    async release() {
      await unmount(target, { detach: true });
      await rm(target, { recursive: true, force: true });
    },
  };
}
