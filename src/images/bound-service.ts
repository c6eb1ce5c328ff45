import type { Readable } from 'node:stream';

import type { Filters } from './image-filters.js';
import { importImage, type ImportOptions } from './image-import.js';
import { loadImages, type LoadProgress, type LoadResult } from './image-load.js';
import { type DeleteItem, type RemoveOptions, pruneImages, removeImage } from './image-remove.js';
import { checkSaveNames, saveImages } from './image-save.js';
import {
  type HistoryItem,
  type ImageView,
  imageHistory,
  inspectImage,
  listImages,
  tagImage,
} from './image-service.js';
import type { ImageRecord } from './image-store.js';
import type { Images } from './open-images.js';

/** The image operations with their stores bound: what the API and other services call. */
export interface ImageService {
  list(options: { all?: boolean; filters?: Filters }): Promise<ImageView[]>;
  inspect(name: string): Promise<ImageView>;
  history(name: string): Promise<HistoryItem[]>;
  tag(source: string, target: string): Promise<void>;
  remove(name: string, options: RemoveOptions): Promise<{ items: DeleteItem[]; freed: number }>;
  prune(filters: Filters): Promise<{ items: DeleteItem[]; freed: number }>;
  importTarball(source: AsyncIterable<Buffer>, options: ImportOptions): Promise<ImageRecord>;
  save(names: string[]): Readable;
  load(
    source: AsyncIterable<Buffer>,
    options: { signal?: AbortSignal; onProgress?: (p: LoadProgress) => void },
  ): Promise<LoadResult>;
  count(): number;
}

export function bindImageService(images: Images): ImageService {
  return {
    list: (options) => listImages(images, options),
    inspect: (name) => inspectImage(images, name),
    history: (name) => imageHistory(images, name),
    tag: (source, target) => tagImage(images, source, target),
    remove: (name, options) => removeImage(images, name, options),
    prune: (filters) => pruneImages(images, filters),
    importTarball: (source, options) => importImage(images, source, options),
    save: (names) => {
      checkSaveNames(images, names);
      return saveImages(images, names);
    },
    load: (source, options) => loadImages(images, source, { ...options, tmpDir: images.tmpDir }),
    count: () => images.images.all().length,
  };
}
