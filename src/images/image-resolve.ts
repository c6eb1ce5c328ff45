import { isMoorError, notFound } from '../core/index.js';
import {
  type Digest,
  familiarString,
  formatReference,
  isDigest,
  parseReference,
  withDefaultTag,
} from '../oci/index.js';
import type { ImageStore } from './image-store.js';
import type { ReferenceStore } from './reference-store.js';

export interface Resolved {
  id: Digest;
  /** The full reference the name matched, when it matched a reference (not an id). */
  ref: string | undefined;
}

/** Finds an image by a unique id prefix (`sha256:` optional). */
function byIdPrefix(images: ImageStore, name: string): Digest | undefined {
  const hex = name.replace(/^sha256:/, '');
  if (!/^[a-f0-9]{1,64}$/.test(hex)) return undefined;
  const full = `sha256:${hex}`;
  if (isDigest(full)) return images.get(full)?.id;
  const matches = images.all().filter((r) => r.id.startsWith(full));
  return matches.length === 1 ? matches[0]?.id : undefined;
}

/**
 * Resolves what a user typed to a local image, as docker does: a reference (`busybox`,
 * `busybox:1`, `name@sha256:...`) first, then an image id or unique id prefix.
 * Throws NotFound with Docker's "No such image: busybox:latest".
 */
export function resolveImage(images: ImageStore, refs: ReferenceStore, name: string): Resolved {
  let familiar = name;
  if (!name.startsWith('sha256:')) {
    let parsed;
    try {
      parsed = withDefaultTag(parseReference(name));
    } catch (err) {
      if (!isMoorError(err, 'InvalidArgument')) throw err;
    }
    if (parsed) {
      familiar = familiarString(parsed);
      const ref = formatReference(parsed.digest ? { ...parsed, tag: undefined } : parsed);
      const id = refs.get(ref);
      if (id && images.get(id)) return { id, ref };
      if (parsed.digest && images.get(parsed.digest)) return { id: parsed.digest, ref: undefined };
    }
  }
  const id = byIdPrefix(images, name);
  if (id) return { id, ref: undefined };
  throw notFound(`No such image: ${familiar}`);
}
