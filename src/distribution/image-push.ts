import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { JsonMessage } from '../api-types/index.js';
import { gzipStream } from '../archive/index.js';
import { invalidArgument } from '../core/index.js';
import type { ImageContext, ImageRecord } from '../images/index.js';
import { type Digest, type Reference, repositoryName, sha256Digest } from '../oci/index.js';
import { type RegistryClient, registryFailure } from './registry-client.js';

const LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

export interface PushOptions {
  client: RegistryClient;
  tmpDir: string;
  /** Repositories of this registry known to hold a blob (for cross-repository mounts). */
  knownRepos: (digest: Digest) => string[];
  remember: (digest: Digest, repo: string) => void;
  onMessage: (message: JsonMessage) => void;
  signal?: AbortSignal | undefined;
}

interface PreparedLayer {
  digest: Digest;
  size: number;
  path: string;
  shown: string;
}

const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/**
 * `docker push` of one tag: each layer compressed (gzip, deterministic, so the same layer
 * has the same digest every time), skipped when the registry has it (HEAD), mounted from
 * another repository of the registry that holds it, else uploaded; then the config and a
 * Docker schema 2 manifest. Returns the manifest digest and size.
 */
export async function pushImage(
  ctx: ImageContext,
  image: ImageRecord,
  ref: Reference & { tag: string },
  options: PushOptions,
): Promise<{ digest: Digest; size: number }> {
  const { client, onMessage } = options;
  const path = ref.path;
  const scope = `repository:${path}:pull,push`;
  const work = await mkdtemp(join(options.tmpDir, 'push-'));
  try {
    const layers: PreparedLayer[] = [];
    for (const chainId of image.layers) {
      const layer = await ctx.layers.get(chainId);
      if (!layer) throw invalidArgument(`layer ${chainId} of the image is missing`);
      onMessage({ status: 'Preparing', progressDetail: {}, id: shortId(layer.diffId) });
    }
    for (const [i, chainId] of image.layers.entries()) {
      const file = join(work, `layer-${i}.tar.gz`);
      const hash = createHash('sha256');
      const tar = Readable.from(ctx.layers.exportTar(chainId, options.signal));
      const gzip = gzipStream();
      gzip.on('data', (chunk: Buffer) => hash.update(chunk));
      await pipeline(tar, gzip, createWriteStream(file));
      const digest: Digest = `sha256:${hash.digest('hex')}`;
      const layer = await ctx.layers.get(chainId);
      layers.push({
        digest,
        size: (await stat(file)).size,
        path: file,
        shown: shortId(layer?.diffId ?? digest),
      });
    }
    for (const layer of layers) await pushLayer(client, path, scope, layer, options);
    // The config's exact bytes (its digest is the image id); no progress line for it.
    const configDigest = image.id;
    const config = await ctx.content.readBuffer(configDigest);
    if (!(await blobExists(client, path, configDigest, scope))) {
      await upload(client, path, scope, configDigest, config);
    }
    const manifest = Buffer.from(
      JSON.stringify(
        {
          schemaVersion: 2,
          mediaType: MANIFEST_TYPE,
          config: { mediaType: CONFIG_TYPE, size: config.length, digest: configDigest },
          layers: layers.map((l) => ({ mediaType: LAYER_TYPE, size: l.size, digest: l.digest })),
        },
        null,
        3,
      ),
    );
    const res = await client.fetch(
      `/v2/${path}/manifests/${ref.tag}`,
      { method: 'PUT', headers: { 'Content-Type': MANIFEST_TYPE }, body: manifest },
      scope,
    );
    if (res.status !== 201 && res.status !== 200) {
      throw await registryFailure(res, `failed to push ${repositoryName(ref)}:${ref.tag}`);
    }
    res.discard();
    const digest = sha256Digest(manifest);
    onMessage({ status: `${ref.tag}: digest: ${digest} size: ${manifest.length}` });
    onMessage({ progressDetail: {}, aux: { Tag: ref.tag, Digest: digest, Size: manifest.length } });
    return { digest, size: manifest.length };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function blobExists(
  client: RegistryClient,
  path: string,
  digest: Digest,
  scope: string,
): Promise<boolean> {
  const res = await client.fetch(`/v2/${path}/blobs/${digest}`, { method: 'HEAD' }, scope);
  res.discard();
  if (res.ok) return true;
  if (res.status === 404) return false;
  throw await registryFailure(res, `checking blob ${digest}`);
}

async function pushLayer(
  client: RegistryClient,
  path: string,
  scope: string,
  layer: PreparedLayer,
  options: PushOptions,
): Promise<void> {
  const { onMessage } = options;
  if (await blobExists(client, path, layer.digest, scope)) {
    onMessage({ status: 'Layer already exists', progressDetail: {}, id: layer.shown });
    options.remember(layer.digest, path);
    return;
  }
  for (const from of options.knownRepos(layer.digest).filter((repo) => repo !== path)) {
    const res = await client.fetch(
      `/v2/${path}/blobs/uploads/?mount=${layer.digest}&from=${encodeURIComponent(from)}`,
      { method: 'POST' },
      `${scope} repository:${from}:pull`,
    );
    res.discard();
    if (res.status === 201) {
      onMessage({ status: `Mounted from ${from}`, progressDetail: {}, id: layer.shown });
      options.remember(layer.digest, path);
      return;
    }
    if (res.status === 202) {
      // The registry started an upload instead: drop it and upload normally.
      const location = res.headers.get('location');
      if (location) await client.fetch(uploadPath(location), { method: 'DELETE' }, scope);
    }
    break;
  }
  onMessage({
    status: 'Pushing',
    progressDetail: { current: 0, total: layer.size },
    id: layer.shown,
  });
  const body = Readable.from(
    (async function* () {
      let current = 0;
      for await (const chunk of createReadStream(layer.path) as AsyncIterable<Buffer>) {
        current += chunk.length;
        onMessage({
          status: 'Pushing',
          progressDetail: { current, total: layer.size },
          id: layer.shown,
        });
        yield chunk;
      }
    })(),
  );
  await upload(client, path, scope, layer.digest, body, layer.size);
  onMessage({ status: 'Pushed', progressDetail: {}, id: layer.shown });
  options.remember(layer.digest, path);
}

function uploadPath(location: string): string {
  return location.startsWith('/')
    ? location
    : new URL(location).pathname + new URL(location).search;
}

/** POST for an upload location, then one PUT with the whole blob and its digest. */
async function upload(
  client: RegistryClient,
  path: string,
  scope: string,
  digest: Digest,
  data: Buffer | Readable,
  size?: number,
): Promise<void> {
  const start = await client.fetch(`/v2/${path}/blobs/uploads/`, { method: 'POST' }, scope);
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) {
    throw await registryFailure(start, `starting an upload to ${path}`);
  }
  start.discard();
  const target = uploadPath(location);
  const url = `${target}${target.includes('?') ? '&' : '?'}digest=${digest}`;
  const res = await client.fetch(
    url,
    {
      method: 'PUT',
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(size ?? (data as Buffer).length),
      },
      body: data,
    },
    scope,
  );
  if (res.status !== 201) throw await registryFailure(res, `uploading ${digest}`);
  res.discard();
}
