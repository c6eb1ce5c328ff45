import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';

import { createTarWriter, type TarHeaderInput } from '../../src/archive/index.js';
import { runHostCommand } from '../../src/sys/index.js';

/** One entry for tarOf(): a header and, for files, the content. */
export type TarSpec = [TarHeaderInput, (Buffer | string)?];

/** A tar archive made by moor's own writer. */
export async function tarOf(entries: readonly TarSpec[]): Promise<Buffer> {
  const writer = createTarWriter();
  const chunks: Buffer[] = [];
  const collecting = (async () => {
    for await (const chunk of writer.readable) chunks.push(chunk as Buffer);
  })();
  for (const [header, body] of entries) {
    await writer.add(header, typeof body === 'string' ? Buffer.from(body) : body);
  }
  await writer.finish();
  await collecting;
  return Buffer.concat(chunks);
}

/** A file entry (mode 0644 unless given). */
export function file(name: string, content: string, extra: Partial<TarHeaderInput> = {}): TarSpec {
  return [{ name, type: 'file', mode: 0o644, ...extra }, content];
}

export function dir(name: string, extra: Partial<TarHeaderInput> = {}): TarSpec {
  return [{ name, type: 'directory', mode: 0o755, ...extra }];
}

/** The archive as a stream of small chunks, as a registry download would arrive. */
export async function* chunked(data: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    await setImmediate(); // chunks of a download arrive on separate event-loop turns
    yield data.subarray(i, i + size);
  }
}

export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  yield* chunked(await readFile(path), 64 * 1024);
}

export function sha256(data: Buffer): `sha256:${string}` {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Runs GNU tar; throws with its stderr on failure. */
export async function gnuTar(args: string[]): Promise<void> {
  await runHostCommand('tar', args);
}

/** Why root-only layer tests cannot run here, or false. */
export function layerTestSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root: unpacking chowns files and makes device nodes';
  if (!existsSync('/usr/bin/setfattr') && !existsSync('/bin/setfattr')) {
    return 'needs setfattr/getfattr (Debian package attr)';
  }
  return false;
}

/** Why overlay mounts cannot be tested here, or false. */
export function overlaySkipReason(): string | false {
  const root = layerTestSkipReason();
  if (root) return root;
  const filesystems = readFileSync('/proc/filesystems', 'utf8');
  return /\toverlay$/m.test(filesystems) ? false : 'the kernel has no overlay file system';
}
