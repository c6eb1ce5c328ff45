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
import type { PublishEvent } from '../events/index.js';
import { type Digest, familiarString, parseReference, withDefaultTag } from '../oci/index.js';
import { resolveImage } from './image-resolve.js';

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

export function bindImageService(images: Images, publish?: PublishEvent): ImageService {
  /** Docker's image events: the image id as actor, `name`, and the image's labels. */
  const event = (id: Digest, name: string, action: string) => {
    const labels = images.images.get(id)?.config.config?.Labels ?? {};
    publish?.({ type: 'image', action, actor: { id, attributes: { ...labels, name } } });
  };
  const idOf = (name: string) => resolveImage(images.images, images.refs, name).id;
  /** untag and delete events of a removal (an image's untags come before its deletion). */
  const removed = (result: { items: DeleteItem[]; freed: number }, id?: Digest) => {
    let untags = 0;
    for (const item of result.items) {
      if ('untagged' in item) {
        if (id) event(id, id, 'untag');
        else untags++;
        continue;
      }
      for (; untags > 0; untags--) event(item.deleted, item.deleted, 'untag');
      event(item.deleted, item.deleted, 'delete');
    }
    return result;
  };
  return {
    list: (options) => listImages(images, options),
    inspect: (name) => inspectImage(images, name),
    history: (name) => imageHistory(images, name),
    async tag(source, target) {
      await tagImage(images, source, target);
      event(idOf(target), familiarString(withDefaultTag(parseReference(target))), 'tag');
    },
    async remove(name, options) {
      const id = idOf(name);
      return removed(await removeImage(images, name, options), id);
    },
    prune: async (filters) => removed(await pruneImages(images, filters)),
    async importTarball(source, options) {
      const record = await importImage(images, source, options);
      event(record.id, record.id, 'import');
      return record;
    },
    save: (names) => {
      checkSaveNames(images, names);
      for (const name of names) {
        const id = idOf(name);
        event(id, id, 'save');
      }
      return saveImages(images, names);
    },
    async load(source, options) {
      const result = await loadImages(images, source, { ...options, tmpDir: images.tmpDir });
      for (const message of result.messages) {
        const loaded = /^Loaded image(?: ID)?: (.+)$/.exec(message)?.[1];
        if (!loaded) continue;
        const id = idOf(loaded);
        event(id, id, 'load');
      }
      return result;
    },
    count: () => images.images.all().length,
  };
}
