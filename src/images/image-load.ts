import { invalidArgument } from '../core/index.js';
import {
  type Descriptor,
  type Digest,
  type ImageManifest,
  chainIds,
  currentPlatform,
  digestHex,
  formatReference,
  isImageIndex,
  parseImageConfig,
  parseManifest,
  parseReference,
  selectPlatform,
  shortId,
  withDefaultTag,
} from '../oci/index.js';
import { releaseLayers } from './image-remove.js';
import { type ImageContext, familiar } from './image-service.js';
import { type SpooledArchive, spoolArchive } from './load-archive.js';
import { pinLayers } from './pins.js';

/** One image found in an archive: its config and layer files, and the names to give it. */
interface ArchiveImage {
  config: string;
  layers: string[];
  refs: string[];
}

export interface LoadProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export interface LoadResult {
  /** Lines Docker prints: `Loaded image: busybox:latest` or `Loaded image ID: sha256:...`. */
  messages: string[];
}

function blobPath(digest: Digest): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

async function dockerImages(archive: SpooledArchive): Promise<ArchiveImage[]> {
  const manifest = JSON.parse((await archive.buffer('manifest.json')).toString('utf8')) as unknown;
  if (!Array.isArray(manifest))
    throw invalidArgument('invalid archive: manifest.json is not a list');
  return manifest.map((item: { Config?: unknown; Layers?: unknown; RepoTags?: unknown }) => {
    if (typeof item.Config !== 'string' || !Array.isArray(item.Layers)) {
      throw invalidArgument('invalid archive: manifest.json entry without Config or Layers');
    }
    const tags = Array.isArray(item.RepoTags) ? (item.RepoTags as string[]) : [];
    return {
      config: item.Config,
      layers: item.Layers as string[],
      refs: tags.map((t) => formatReference(withDefaultTag(parseReference(t)))),
    };
  });
}

async function ociImages(archive: SpooledArchive): Promise<ArchiveImage[]> {
  const out: ArchiveImage[] = [];
  const visit = async (descriptor: Descriptor, names: string[]) => {
    const parsed = parseManifest(await archive.buffer(blobPath(descriptor.digest)));
    if (isImageIndex(parsed)) {
      const chosen = selectPlatform(parsed, currentPlatform());
      if (!chosen) throw invalidArgument('invalid archive: no manifest for this platform');
      await visit(chosen, names);
      return;
    }
    const manifest: ImageManifest = parsed;
    out.push({
      config: blobPath(manifest.config.digest),
      layers: manifest.layers.map((l) => blobPath(l.digest)),
      refs: names,
    });
  };
  const index = parseManifest(await archive.buffer('index.json'));
  const manifests = isImageIndex(index) ? index.manifests : [];
  for (const m of manifests) {
    const name = m.annotations?.['io.containerd.image.name'];
    await visit(m, name ? [formatReference(withDefaultTag(parseReference(name)))] : []);
  }
  return out;
}

/**
 * `docker load`: Docker archives (manifest.json) and OCI layouts (index.json), gzip or not.
 * Layers are verified against the config's diff ids. Nothing is recorded unless the whole
 * archive is good; layers this load added are removed again if it fails.
 */
export async function loadImages(
  ctx: ImageContext,
  source: AsyncIterable<Buffer>,
  options: { tmpDir: string; signal?: AbortSignal; onProgress?: (p: LoadProgress) => void },
): Promise<LoadResult> {
  const archive = await spoolArchive(source, options.tmpDir, options.signal);
  const added: Digest[] = [];
  const unpins: (() => void)[] = [];
  try {
    const images = archive.has('manifest.json')
      ? await dockerImages(archive)
      : archive.has('index.json')
        ? await ociImages(archive)
        : [];
    if (images.length === 0) {
      throw invalidArgument('invalid archive: no manifest.json or index.json found');
    }
    const messages: string[] = [];
    for (const image of images) {
      const configBytes = await archive.buffer(image.config);
      const config = parseImageConfig(configBytes);
      const diffIds = config.rootfs.diff_ids;
      if (diffIds.length !== image.layers.length) {
        throw invalidArgument(
          `invalid archive: ${diffIds.length} diff ids but ${image.layers.length} layers`,
        );
      }
      const chain = chainIds(diffIds);
      unpins.push(pinLayers(ctx, chain));
      for (const [i, file] of image.layers.entries()) {
        const chainId = chain[i] as Digest;
        if (await ctx.layers.get(chainId)) continue;
        const id = shortId(diffIds[i] as Digest);
        const total = archive.size(file);
        await ctx.layers.register(archive.stream(file), chain[i - 1], {
          expectedDiffId: diffIds[i],
          signal: options.signal,
          onProgress: (current) =>
            options.onProgress?.({ id, status: 'Loading layer', current, total }),
        });
        added.push(chainId);
      }
      const record = await ctx.images.add(configBytes);
      for (const ref of image.refs) {
        const previous = ctx.refs.get(ref);
        if (previous && previous !== record.id) {
          messages.push(
            `The image ${familiar(ref)} already exists, renaming the old one with ID ${previous} to empty string`,
          );
        }
        await ctx.refs.set(ref, record.id);
        messages.push(`Loaded image: ${familiar(ref)}`);
      }
      if (image.refs.length > 0) await ctx.images.setLastTagTime(record.id, new Date());
      else messages.push(`Loaded image ID: ${record.id}`);
    }
    return { messages };
  } catch (err) {
    for (const unpin of unpins) unpin();
    await releaseLayers(ctx, added);
    throw err;
  } finally {
    for (const unpin of unpins) unpin();
    await archive.dispose();
  }
}
