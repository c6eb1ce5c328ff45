import { type FileHandle, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { hasErrno, internal } from '../core/index.js';
import type { EncodedBatch } from './log-format.js';

/**
 * An append-only log file rotated by size, as dockerd rotates its log files: before a write
 * would take the file over `maxSize`, it becomes `<path>.1` (older ones shift to `.2` …
 * `.<maxFiles-1>`, the oldest is dropped) and a new file is started. With maxFiles 1 the file
 * is dropped and started again. Writes cut batches only between records; a record larger than
 * maxSize gets a file of its own. Not safe for concurrent appends: callers serialize them.
 */
export class RotatingFile {
  readonly path: string;
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private handle: FileHandle | undefined;
  private size = 0;
  private closed = false;

  constructor(path: string, maxSize: number, maxFiles: number) {
    this.path = path;
    this.maxSize = maxSize;
    this.maxFiles = Math.max(1, maxFiles);
  }

  private async current(): Promise<FileHandle> {
    if (this.closed) throw internal(`log file ${this.path} is closed`);
    if (this.handle) return this.handle;
    const handle = await open(this.path, 'a', 0o640);
    this.size = (await handle.stat()).size;
    this.handle = handle;
    return handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    if (this.maxFiles === 1) {
      await rm(this.path, { force: true });
      return;
    }
    await rm(`${this.path}.${this.maxFiles - 1}`, { force: true });
    for (let n = this.maxFiles - 2; n >= 1; n--) {
      await rename(`${this.path}.${n}`, `${this.path}.${n + 1}`).catch((err: unknown) => {
        if (!hasErrno(err, 'ENOENT')) throw err;
      });
    }
    await rename(this.path, `${this.path}.1`);
  }

  /** Appends the batch with as few writes as rotation allows (one when it fits). */
  async append(batch: EncodedBatch): Promise<void> {
    const { data, ends } = batch;
    let pos = 0;
    let next = 0;
    while (pos < data.length) {
      const handle = await this.current();
      const room = this.maxSize > 0 ? this.maxSize - this.size : Infinity;
      let cut = pos;
      if (data.length - pos <= room) cut = data.length;
      else {
        while (next < ends.length && (ends[next] as number) - pos <= room)
          cut = ends[next++] as number;
      }
      if (cut === pos) {
        if (this.size > 0) {
          await this.rotate();
          continue;
        }
        cut = ends[next++] ?? data.length;
      }
      await writeAll(handle, data.subarray(pos, cut));
      this.size += cut - pos;
      pos = cut;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

/** The files of a rotated log, oldest first: `<path>.N` … `<path>.1`, then `<path>`. */
export async function rotatedPaths(path: string): Promise<string[]> {
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return [path];
    throw err;
  }
  const numbers: number[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const suffix = name.slice(base.length + 1);
    if (/^[1-9]\d*$/.test(suffix)) numbers.push(Number(suffix));
  }
  numbers.sort((a, b) => b - a);
  return [...numbers.map((n) => join(dirname(path), `${base}.${n}`)), path];
}
