import { type Digest, isDigest } from '../oci/index.js';

const IMAGE_MANIFESTS = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
]);
const INDEXES = new Set([
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
]);

interface Descriptor {
  digest?: unknown;
  urls?: unknown;
}

function digestsOf(list: unknown, skipForeign: boolean): Digest[] | undefined {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return undefined;
  const out: Digest[] = [];
  for (const item of list as Descriptor[]) {
    if (typeof item?.digest !== 'string' || !isDigest(item.digest)) return undefined;
    // A foreign layer (with URLs) is fetched from elsewhere: the registry need not have it.
    if (skipForeign && Array.isArray(item.urls) && item.urls.length > 0) continue;
    out.push(item.digest);
  }
  return out;
}

/**
 * What a pushed manifest refers to, which the registry must already hold: an image manifest's
 * config and layers (blobs), an index's or list's manifests. Undefined for an unknown media
 * type or a malformed body.
 */
export function referencedDigests(
  manifest: unknown,
  mediaType: string,
): { blobs: Digest[]; manifests: Digest[] } | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const body = manifest as { config?: Descriptor; layers?: unknown; manifests?: unknown };
  if (IMAGE_MANIFESTS.has(mediaType)) {
    const layers = digestsOf(body.layers, true);
    const config = digestsOf(body.config === undefined ? [] : [body.config], false);
    if (!layers || !config || body.config === undefined) return undefined;
    return { blobs: [...config, ...layers], manifests: [] };
  }
  if (INDEXES.has(mediaType)) {
    const manifests = digestsOf(body.manifests, false);
    return manifests ? { blobs: [], manifests } : undefined;
  }
  return undefined;
}
