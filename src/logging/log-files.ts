import { type FileHandle, open, stat } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';
import type { LogEntry } from './log-entry.js';
import { type LogFormat, readAt } from './log-format.js';
import { rotatedPaths } from './rotating-file.js';

/** A log file opened for reading, with its size and identity when opened. */
export interface OpenLogFile {
  path: string;
  handle: FileHandle;
  size: number;
  ino: bigint;
}

/** The inode of `path`, or undefined when it does not exist. */
export async function inodeOf(path: string): Promise<bigint | undefined> {
  try {
    return (await stat(path, { bigint: true })).ino;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export async function openLogFile(path: string): Promise<OpenLogFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  const info = await handle.stat({ bigint: true });
  return { path, handle, size: Number(info.size), ino: info.ino };
}

export async function closeLogFiles(files: readonly OpenLogFile[]): Promise<void> {
  for (const file of files) await file.handle.close();
}

/**
 * Opens a rotated log's files, oldest first. A rotation while they are being opened would
 * mix up names and contents, so each file's identity is checked again afterwards, and the
 * set opened again when one changed.
 */
export async function openLogSet(path: string): Promise<OpenLogFile[]> {
  for (let attempt = 0; ; attempt++) {
    const files: OpenLogFile[] = [];
    try {
      for (const p of await rotatedPaths(path)) {
        const file = await openLogFile(p);
        if (file) files.push(file);
      }
      let stable = true;
      for (const file of files) {
        if ((await inodeOf(file.path)) !== file.ino) stable = false;
      }
      if (stable || attempt >= 4) return files;
    } catch (err) {
      await closeLogFiles(files);
      throw err;
    }
    await closeLogFiles(files);
  }
}

const CHUNK = 1 << 20;

/**
 * Reads the whole records of `file` from `progress.offset` up to `limit` (the end of the
 * file when Infinity), a chunk at a time, yielding each chunk's entries. `progress.offset`
 * advances past each whole record; an incomplete last record is left for a later read.
 */
export async function* readRecords(
  file: FileHandle,
  format: LogFormat,
  progress: { offset: number },
  limit = Infinity,
): AsyncGenerator<LogEntry[]> {
  let carry: Buffer | undefined;
  for (;;) {
    const from = progress.offset + (carry?.length ?? 0);
    const want = Math.min(CHUNK, limit - from);
    if (want <= 0) return;
    // A fresh buffer per chunk: entries keep pointing into it.
    const buf = Buffer.allocUnsafe(want);
    const got = await readAt(file, buf, want, from);
    if (got === 0) return;
    const data = carry ? Buffer.concat([carry, buf.subarray(0, got)]) : buf.subarray(0, got);
    const entries: LogEntry[] = [];
    const used = format.decode(data, entries);
    progress.offset += used;
    carry = used < data.length ? data.subarray(used) : undefined;
    if (entries.length > 0) yield entries;
    if (got < want) return;
  }
}
