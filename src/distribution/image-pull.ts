import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

import type { JsonMessage } from '../api-types/index.js';
import { decompressed } from '../archive/index.js';
import { invalidArgument } from '../core/index.js';
import { type ImageContext, pinLayers } from '../images/index.js';
import {
  type Descriptor,
  type Digest,
  type ImageIndex,
  type ImageManifest,
  MediaType,
  type Platform,
  type Reference,
  chainIds,
  familiarString,
  formatReference,
  isImageIndex,
  parseImageConfig,
  parseManifest,
  repositoryName,
  selectPlatform,
  sha256Digest,
} from '../oci/index.js';
import { type RegistryClient, registryFailure } from './registry-client.js';

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export interface PullOptions {
  client: RegistryClient;
  /** Scratch space for downloaded layers (on the layer store's filesystem). */
  tmpDir: string;
  platform: Platform;
  /** Docker's pull messages (`Pulling fs layer`, `Downloading`, `Pull complete`, ...). */
  onMessage: (message: JsonMessage) => void;
  signal?: AbortSignal | undefined;
}

const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

const DOWNLOADS_AT_ONCE = 3;

/**
 * A layer blob as it downloads, with Docker's progress messages; the blob's digest is checked
 * as it streams (the layer store checks the diff id when it registers the layer).
 */
async function layerBlob(
  client: RegistryClient,
  path: string,
  layer: Descriptor,
  scope: string,
  onMessage: (message: JsonMessage) => void,
): Promise<AsyncIterable<Buffer>> {
  const id = shortId(layer.digest);
  const body = await blobStream(client, path, layer, scope, (current) =>
    onMessage({ status: 'Downloading', progressDetail: { current, total: layer.size }, id }),
  );
  return (async function* () {
    yield* body;
    onMessage({ status: 'Verifying Checksum', progressDetail: {}, id });
    onMessage({ status: 'Download complete', progressDetail: {}, id });
  })();
}

/** One layer blob downloaded and decompressed into `file`. */
async function downloadLayer(
  client: RegistryClient,
  path: string,
  layer: Descriptor,
  scope: string,
  file: string,
  onMessage: (message: JsonMessage) => void,
): Promise<string> {
  const blob = await layerBlob(client, path, layer, scope, onMessage);
  await pipeline(Readable.from(decompressed(blob)), createWriteStream(file));
  return file;
}

/**
 * `docker pull`: the tag (or digest) resolved to a manifest — from an index or list, the
 * platform's — then its config and layers, each checked against its digest while it streams
 * (and layers again against their diff ids by the layer store), layers already here skipped.
 * The image, its tag and `repo@digest` are recorded only when everything is in place, so a
 * failed pull leaves no partial image. Returns the image id and whether it was new.
 */
export async function pullImage(
  ctx: ImageContext,
  ref: Reference,
  options: PullOptions,
): Promise<{ id: Digest; fresh: boolean; manifestDigest: Digest }> {
  const { client, onMessage } = options;
  const scope = `repository:${ref.path}:pull`;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const repo = familiarString({ ...ref, tag: undefined, digest: undefined });
  const first = await fetchManifest(client, ref.path, reference, scope, repo);
  // As Docker: once the manifest is there (a missing one is the only thing said).
  onMessage({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag ?? 'latest' });
  const manifestDigest = first.digest;
  let manifest = notSchema1(first.manifest, ref);
  if (ref.digest && manifestDigest !== ref.digest) {
    throw invalidArgument(
      `manifest digest mismatch: expected ${ref.digest}, got ${manifestDigest}`,
    );
  }
  if (isImageIndex(manifest)) {
    const chosen = selectPlatform(manifest, options.platform);
    if (!chosen) {
      throw invalidArgument(
        `no matching manifest for ${options.platform.os}/${options.platform.architecture} in the manifest list entries`,
      );
    }
    manifest = notSchema1(
      (await fetchManifest(client, ref.path, chosen.digest, scope, repo)).manifest,
      ref,
    );
  }
  const image = manifest as ImageManifest;
  const configBytes = await fetchBlob(client, ref.path, image.config, scope);
  const config = parseImageConfig(configBytes);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) {
    throw invalidArgument(
      `invalid manifest: ${image.layers.length} layers for ${diffIds.length} diff ids`,
    );
  }
  const chain = chainIds(diffIds);
  const id = sha256Digest(configBytes);
  const fresh = !ctx.images.get(id);
  const unpin = pinLayers(ctx, chain);
  try {
    const missing: number[] = [];
    for (const [i, layer] of image.layers.entries()) {
      const shown = shortId(layer.digest);
      if (await ctx.layers.get(chain[i] as Digest)) {
        onMessage({ status: 'Already exists', progressDetail: {}, id: shown });
      } else {
        onMessage({ status: 'Pulling fs layer', progressDetail: {}, id: shown });
        missing.push(i);
      }
    }
    // Downloads run three at a time, as Docker's do. The first missing layer streams straight
    // into the layer store; the others are decompressed into files meanwhile, and registered
    // in order as they are ready.
    const work = await mkdtemp(join(options.tmpDir, 'pull-'));
    try {
      const downloads = new Map<number, Promise<string>>();
      let next = 1;
      const startNext = () => {
        const i = missing[next++];
        if (i === undefined) return;
        const layer = image.layers[i] as Descriptor;
        const task = downloadLayer(client, ref.path, layer, scope, join(work, `${i}.tar`), (m) =>
          onMessage(m),
        );
        task.catch(() => undefined);
        downloads.set(i, task);
      };
      for (let k = 1; k < DOWNLOADS_AT_ONCE; k++) startNext();
      for (const i of missing) {
        const layer = image.layers[i] as Descriptor;
        const shown = shortId(layer.digest);
        let source: AsyncIterable<Buffer>;
        const download = downloads.get(i);
        let file: string | undefined;
        if (download === undefined) {
          const blob = await layerBlob(client, ref.path, layer, scope, onMessage);
          source = (async function* () {
            yield* blob;
            onMessage({ status: 'Extracting', progressDetail: {}, id: shown });
          })();
        } else {
          file = await download;
          startNext();
          onMessage({ status: 'Extracting', progressDetail: {}, id: shown });
          source = createReadStream(file, { highWaterMark: 1 << 20 });
        }
        await ctx.layers.register(source, i === 0 ? undefined : chain[i - 1], {
          expectedDiffId: diffIds[i],
          signal: options.signal,
        });
        if (file === undefined) startNext();
        else await rm(file, { force: true });
        onMessage({ status: 'Pull complete', progressDetail: {}, id: shown });
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const record = await ctx.images.add(configBytes);
    if (!ref.digest)
      await ctx.refs.set(formatReference({ ...ref, tag: ref.tag ?? 'latest' }), record.id);
    await ctx.refs.set(`${repositoryName(ref)}@${manifestDigest}`, record.id);
    await ctx.images.setLastTagTime(record.id, new Date());
  } finally {
    unpin();
  }
  onMessage({ status: `Digest: ${manifestDigest}` });
  const name = familiarString(
    ref.digest ? { ...ref, tag: undefined } : { ...ref, tag: ref.tag ?? 'latest' },
  );
  onMessage({
    status: fresh
      ? `Status: Downloaded newer image for ${name}`
      : `Status: Image is up to date for ${name}`,
  });
  return { id, fresh, manifestDigest };
}

async function fetchManifest(
  client: RegistryClient,
  path: string,
  reference: string,
  scope: string,
  /** The repository as Docker names it in messages. */
  repo: string,
): Promise<{ manifest: ImageManifest | ImageIndex | 'schema1'; digest: Digest }> {
  const res = await client.fetch(
    `/v2/${path}/manifests/${reference}`,
    { headers: { Accept: ACCEPT } },
    scope,
  );
  if (!res.ok) {
    const shown = `${repo}${reference.includes(':') ? '@' : ':'}${reference}`;
    throw await registryFailure(res, `manifest for ${shown} not found`);
  }
  const bytes = await res.buffer();
  const digest = sha256Digest(bytes);
  const contentType = res.headers.get('content-type') ?? undefined;
  if (isSchema1(bytes, contentType)) return { manifest: 'schema1', digest };
  return { manifest: parseManifest(bytes, contentType), digest };
}

/** The manifest, unless it is schema 1: that is refused in Docker's words. */
function notSchema1(
  manifest: ImageManifest | ImageIndex | 'schema1',
  ref: Reference,
): ImageManifest | ImageIndex {
  if (manifest !== 'schema1') return manifest;
  const full = formatReference(ref.digest ? ref : { ...ref, tag: ref.tag ?? 'latest' });
  throw invalidArgument(
    `[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default and will be removed in an upcoming release. Suggest the author of ${full} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/`,
  );
}

/** A Docker schema 1 manifest (signed or not), which Docker no longer pulls. */
function isSchema1(bytes: Buffer, contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim();
  if (type === MediaType.dockerManifestV1 || type === MediaType.dockerManifestV1Signed) {
    return true;
  }
  try {
    const body = JSON.parse(bytes.toString('utf8')) as { schemaVersion?: unknown };
    return body.schemaVersion === 1;
  } catch {
    return false;
  }
}

async function fetchBlob(
  client: RegistryClient,
  path: string,
  desc: Descriptor,
  scope: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobStream(client, path, desc, scope)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A blob's bytes; the stream fails at its end when they do not hash to the digest. */
async function blobStream(
  client: RegistryClient,
  path: string,
  desc: Descriptor,
  scope: string,
  onProgress?: (current: number) => void,
): Promise<AsyncIterable<Buffer>> {
  const res = await client.fetch(`/v2/${path}/blobs/${desc.digest}`, {}, scope);
  if (!res.ok || !res.body) throw await registryFailure(res, `blob ${desc.digest}`);
  const body = res.body;
  return (async function* () {
    const hash = createHash('sha256');
    let current = 0;
    let reported = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      current += chunk.length;
      if (onProgress && (current - reported > 512 * 1024 || current === desc.size)) {
        reported = current;
        onProgress(current);
      }
      yield chunk;
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== desc.digest) {
      throw invalidArgument(`filesystem layer verification failed for digest ${desc.digest}`);
    }
  })();
}

/** A repository's tags (`docker pull -a`), following the registry's pages. */
export async function listTags(client: RegistryClient, path: string): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${path}/tags/list`;
  while (next) {
    const res = await client.fetch(next, {}, `repository:${path}:pull`);
    if (!res.ok) throw await registryFailure(res, `listing the tags of ${path}`);
    const body = (await res.json()) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return tags;
}
