import { createHash } from 'node:crypto';

import { type TarHeaderInput, createTarWriter } from '../../src/archive/index.js';

export interface FileSpec {
  name: string;
  type?: TarHeaderInput['type'];
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

async function collect(readable: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of readable) chunks.push(c);
  return Buffer.concat(chunks);
}

/** A tar made with moor's own writer (valid by construction), for layers and archives. */
export async function makeTar(files: FileSpec[]): Promise<Buffer> {
  const tar = createTarWriter();
  const done = collect(tar.readable);
  for (const f of files) {
    const body = f.content === undefined ? undefined : Buffer.from(f.content);
    await tar.add(
      {
        name: f.name,
        type: f.type ?? 'file',
        mode: f.mode,
        linkname: f.linkname,
        size: body?.length ?? 0,
        mtime: new Date('2026-01-01T00:00:00Z'),
      },
      body,
    );
  }
  await tar.finish();
  return done;
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export interface ArchiveImage {
  layers: Buffer[];
  tags: string[];
  /** Overrides the diff ids written in the config (to make a bad archive). */
  diffIds?: string[];
  config?: Record<string, unknown>;
}

/** A `docker save`-style archive (manifest.json + blobs) of the given images. */
export async function makeDockerArchive(
  images: ArchiveImage[],
): Promise<{ tar: Buffer; ids: string[] }> {
  const files: FileSpec[] = [];
  const manifest: unknown[] = [];
  const ids: string[] = [];
  for (const image of images) {
    const diffIds = image.diffIds ?? image.layers.map((l) => sha256(l));
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2026-01-01T00:00:00Z',
        config: { Cmd: ['sh'], ...image.config },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: image.layers.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'test' })),
      }),
    );
    const id = sha256(config);
    ids.push(id);
    files.push({ name: `blobs/sha256/${id.slice(7)}`, content: config });
    const layerPaths = image.layers.map((layer) => {
      const path = `blobs/sha256/${sha256(layer).slice(7)}`;
      if (!files.some((f) => f.name === path)) files.push({ name: path, content: layer });
      return path;
    });
    manifest.push({
      Config: `blobs/sha256/${id.slice(7)}`,
      RepoTags: image.tags,
      Layers: layerPaths,
    });
  }
  files.push({ name: 'manifest.json', content: JSON.stringify(manifest) });
  return { tar: await makeTar(files), ids };
}
