import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { decompressed, readTar } from '../archive/index.js';
import { invalidArgument } from '../core/index.js';

/** Files of an image archive, small ones in memory and large ones spooled to disk. */
export interface SpooledArchive {
  has(name: string): boolean;
  buffer(name: string): Promise<Buffer>;
  stream(name: string): AsyncIterable<Buffer>;
  size(name: string): number;
  dispose(): Promise<void>;
}

const IN_MEMORY_LIMIT = 1024 * 1024;

function clean(name: string): string {
  return posix.normalize(name.replace(/^\.?\/+/, '')).replace(/\/$/, '');
}

/**
 * Reads a whole `docker save`/OCI archive (plain or gzip) once. Archives list their index
 * files after the blobs, so nothing can be unpacked before the end has been seen.
 */
export async function spoolArchive(
  source: AsyncIterable<Buffer>,
  tmpRoot: string,
  signal?: AbortSignal,
): Promise<SpooledArchive> {
  const dir = await mkdtemp(join(tmpRoot, 'load-'));
  const memory = new Map<string, Buffer>();
  const files = new Map<string, { path: string; size: number }>();
  const links = new Map<string, string>();
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    let n = 0;
    for await (const entry of readTar(decompressed(source), { signal })) {
      const name = clean(entry.header.name);
      if (entry.header.type === 'file') {
        if (entry.header.size <= IN_MEMORY_LIMIT) memory.set(name, await entry.buffer());
        else {
          const path = join(dir, String(n++));
          await pipeline(entry.body(), createWriteStream(path));
          files.set(name, { path, size: entry.header.size });
        }
      } else if (entry.header.type === 'symlink') {
        links.set(name, clean(posix.join(posix.dirname(name), entry.header.linkname)));
      } else if (entry.header.type === 'hardlink') {
        links.set(name, clean(entry.header.linkname));
      }
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  const target = (name: string): string => {
    let current = clean(name);
    for (let hops = 0; links.has(current) && hops < 16; hops++)
      current = links.get(current) as string;
    if (!memory.has(current) && !files.has(current)) {
      throw invalidArgument(`invalid archive: ${name} is missing`);
    }
    return current;
  };
  return {
    has: (name) => {
      const c = clean(name);
      return memory.has(c) || files.has(c) || links.has(c);
    },
    async buffer(name) {
      const t = target(name);
      const inMemory = memory.get(t);
      if (inMemory) return inMemory;
      const chunks: Buffer[] = [];
      for await (const c of createReadStream((files.get(t) as { path: string }).path))
        chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    stream(name) {
      const t = target(name);
      const inMemory = memory.get(t);
      if (inMemory) return Readable.from([inMemory]);
      return createReadStream((files.get(t) as { path: string }).path, { highWaterMark: 1 << 20 });
    },
    size(name) {
      const t = target(name);
      return memory.get(t)?.length ?? (files.get(t) as { size: number }).size;
    },
    dispose,
  };
}
