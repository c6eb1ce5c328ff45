import type { Readable } from 'node:stream';

import { type TarWriter, createTarWriter } from '../archive/index.js';
import {
  type Digest,
  type ImageIndex,
  type ImageManifest,
  MediaType,
  digestHex,
  familiarName,
  familiarString,
  formatReference,
  parseReference,
  sha256Digest,
} from '../oci/index.js';
import { resolveImage } from './image-resolve.js';
import type { ImageContext } from './image-service.js';
import type { ImageRecord } from './image-store.js';

interface SaveItem {
  record: ImageRecord;
  /** Full references to write for this image. */
  refs: string[];
}

/**
 * Which images and names a `docker save` argument means: `name:tag` that tag; a bare `name`
 * every tag of that repository; an id the image without names.
 */
function selectImages(ctx: ImageContext, names: string[]): SaveItem[] {
  const items = new Map<Digest, SaveItem>();
  const add = (record: ImageRecord, refs: string[]) => {
    const item = items.get(record.id) ?? { record, refs: [] };
    for (const ref of refs) if (!item.refs.includes(ref)) item.refs.push(ref);
    items.set(record.id, item);
  };
  for (const name of names) {
    const bareRepo = /^[^@]*$/.test(name) && !/:[\w][\w.-]*$/.test(name.split('/').pop() ?? '');
    if (bareRepo) {
      const repo = familiarName(parseReference(name));
      const tagged = ctx.refs
        .entries()
        .filter(([ref]) => !ref.includes('@') && familiarName(parseReference(ref)) === repo);
      if (tagged.length > 0) {
        for (const [ref, id] of tagged) add(ctx.images.get(id) as ImageRecord, [ref]);
        continue;
      }
    }
    const { id, ref } = resolveImage(ctx.images, ctx.refs, name);
    add(ctx.images.get(id) as ImageRecord, ref && !ref.includes('@') ? [ref] : []);
  }
  return [...items.values()];
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

async function writeBlob(
  tar: TarWriter,
  written: Set<string>,
  digest: Digest,
  body: Buffer | AsyncIterable<Buffer>,
  size: number,
) {
  if (written.has(digest)) return;
  written.add(digest);
  await tar.add(
    { name: `blobs/sha256/${digestHex(digest)}`, type: 'file', size, mode: 0o444 },
    body,
  );
}

/**
 * `docker save`: a tar holding Docker's archive format (`manifest.json`, `repositories`) and
 * an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`) over the same blobs,
 * as Docker 25+ writes it. Layers are the exact tars they were loaded from (sha256 = diff id).
 */
export function saveImages(ctx: ImageContext, names: string[]): Readable {
  const items = selectImages(ctx, names);
  const tar = createTarWriter();
  const run = async () => {
    const written = new Set<string>();
    const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
    const repositories: Record<string, Record<string, string>> = {};
    await tar.add({ name: 'blobs/', type: 'directory', mode: 0o755 });
    await tar.add({ name: 'blobs/sha256/', type: 'directory', mode: 0o755 });
    for (const { record, refs } of items) {
      const configBytes = await ctx.content.readBuffer(record.id);
      await writeBlob(tar, written, record.id, configBytes, configBytes.length);
      const layerDescriptors: ImageManifest['layers'] = [];
      for (const [i, chainId] of record.layers.entries()) {
        const layer = await ctx.layers.get(chainId);
        const diffId = record.config.rootfs.diff_ids[i] as Digest;
        if (!layer) throw new Error(`layer ${chainId} of image ${record.id} is missing`);
        await writeBlob(tar, written, diffId, ctx.layers.exportTar(chainId), layer.tarSize);
        layerDescriptors.push({
          mediaType: MediaType.ociLayer,
          digest: diffId,
          size: layer.tarSize,
        });
      }
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: record.id, size: configBytes.length },
        layers: layerDescriptors,
      };
      const manifestBytes = json(manifest);
      const manifestDigest = sha256Digest(manifestBytes);
      await writeBlob(tar, written, manifestDigest, manifestBytes, manifestBytes.length);
      const descriptor = {
        mediaType: MediaType.ociManifest,
        digest: manifestDigest,
        size: manifestBytes.length,
      };
      if (refs.length === 0) index.manifests.push(descriptor);
      for (const ref of refs) {
        const parsed = parseReference(ref);
        index.manifests.push({
          ...descriptor,
          annotations: {
            'io.containerd.image.name': formatReference(parsed),
            'org.opencontainers.image.ref.name': parsed.tag ?? 'latest',
          },
        });
        (repositories[familiarName(parsed)] ??= {})[parsed.tag ?? 'latest'] = digestHex(record.id);
      }
      manifestJson.push({
        Config: `blobs/sha256/${digestHex(record.id)}`,
        RepoTags: refs.length > 0 ? refs.map((r) => familiarString(parseReference(r))) : null,
        Layers: record.config.rootfs.diff_ids.map((d) => `blobs/sha256/${digestHex(d)}`),
      });
    }
    const files: [string, Buffer][] = [
      ['index.json', json(index)],
      ['manifest.json', json(manifestJson)],
      ['oci-layout', json({ imageLayoutVersion: '1.0.0' })],
    ];
    if (Object.keys(repositories).length > 0) files.push(['repositories', json(repositories)]);
    for (const [name, body] of files)
      await tar.add({ name, type: 'file', size: body.length, mode: 0o644 }, body);
    await tar.finish();
  };
  run().catch((err: unknown) =>
    tar.readable.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return tar.readable;
}

/** Resolves every name first, so that `save` of a missing image fails before any byte is sent. */
export function checkSaveNames(ctx: ImageContext, names: string[]): void {
  selectImages(ctx, names);
}
