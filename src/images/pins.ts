import type { Digest } from '../oci/index.js';
import type { ImageContext } from './image-service.js';

/**
 * Marks layers as in use by an operation that has not recorded its image yet, so that a
 * concurrent rmi or a failed sibling operation does not remove them. Returns the release.
 */
export function pinLayers(ctx: ImageContext, chainIds: Digest[]): () => void {
  for (const id of chainIds) ctx.pinned.set(id, (ctx.pinned.get(id) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const id of chainIds) {
      const n = (ctx.pinned.get(id) ?? 1) - 1;
      if (n <= 0) ctx.pinned.delete(id);
      else ctx.pinned.set(id, n);
    }
  };
}
