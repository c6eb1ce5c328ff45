import {
  type ContainerConfig,
  type Digest,
  type ImageConfig,
  applyChanges,
  currentPlatform,
} from '../oci/index.js';
import { releaseLayers } from './image-remove.js';
import type { ImageContext } from './image-service.js';
import type { ImageRecord } from './image-store.js';
import { pinLayers } from './pins.js';

export interface ImportOptions {
  /** Full reference to tag the image with (already normalised), if any. */
  ref?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=1`, ...). */
  changes?: string[];
  /** History comment; Docker's default is "Imported from SOURCE". */
  message?: string;
  /** Where the tarball came from (`-` for the request body, or a URL). */
  source?: string;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/**
 * `docker import`: a root filesystem tarball (plain or gzip) becomes a one-layer image.
 * The store is unchanged if anything fails (the layer is removed unless another image has it).
 */
export async function importImage(
  ctx: ImageContext,
  tarball: AsyncIterable<Buffer>,
  options: ImportOptions = {},
): Promise<ImageRecord> {
  const config: ContainerConfig = applyChanges({}, options.changes ?? []);
  const layer = await ctx.layers.register(tarball, undefined, {
    signal: options.signal,
    onProgress: options.onProgress,
  });
  const unpin = pinLayers(ctx, [layer.chainId]);
  try {
    const created = new Date().toISOString();
    const platform = currentPlatform();
    const comment = options.message || `Imported from ${options.source ?? '-'}`;
    const image: ImageConfig = {
      architecture: platform.architecture,
      ...(options.message ? { comment: options.message } : {}),
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created,
      config,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] as Digest[] },
      history: [{ created, comment }],
    };
    const record = await ctx.images.add(Buffer.from(JSON.stringify(image)));
    if (options.ref) {
      await ctx.refs.set(options.ref, record.id);
      await ctx.images.setLastTagTime(record.id, new Date());
    }
    return record;
  } catch (err) {
    unpin();
    await releaseLayers(ctx, [layer.chainId]);
    throw err;
  } finally {
    unpin();
  }
}
