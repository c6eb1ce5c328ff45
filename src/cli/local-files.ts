/**
 * The user's own files, read and written as the docker CLI does: errors worded like Go's
 * (`open x: no such file or directory`), archives written atomically (a temp file beside the
 * target, fsync, chmod, rename), so an interrupted save never leaves half a tar behind.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

import { hasErrno, syncDir } from '../core/index.js';

/** Go's *PathError text for a Node system error: `open x: no such file or directory`. */
export function goPathError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const { code, syscall, path, message } = err as NodeJS.ErrnoException;
  if (code === undefined || syscall === undefined) return err;
  const description = /^[A-Z0-9_]+: (.*?),/.exec(message)?.[1] ?? message;
  return new Error(`${syscall} ${path ?? ''}: ${description}`, { cause: err });
}

/** Opens a file to upload (import, load); errors read like Go's os.Open. */
export async function openUpload(path: string): Promise<Readable> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw goPathError(err);
  }
  return handle.createReadStream();
}

/** moby/sys/atomicwriter's checks on an output path, with its messages. */
export async function validateOutputPath(path: string): Promise<void> {
  if (path === '') throw new Error('file name is empty');
  const dir = dirname(path);
  if (dir !== '.' && dir !== '..') {
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) throw new Error(`invalid output path: stat ${dir}: not a directory`);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT', 'EACCES', 'ENOTDIR')) throw err;
      throw new Error(`invalid output path: ${goPathError(err).message}`, { cause: err });
    }
  }
  try {
    const info = await lstat(path);
    if (info.isFile()) return;
    if (info.isDirectory()) throw new Error('cannot write to a directory');
    if (info.isSymbolicLink()) throw new Error('cannot write to a symbolic link directly');
    if (info.isFIFO()) throw new Error('cannot write to a named pipe (FIFO)');
    if (info.isSocket()) throw new Error('cannot write to a socket');
    if (info.isCharacterDevice()) throw new Error('cannot write to a character device file');
    throw new Error('cannot write to a block device file');
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
}

export interface AtomicStreamOptions {
  /** Final permissions (docker save: 0600). */
  mode: number;
  /** Called with the bytes written so far. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

/** Streams `source` into `path` atomically: temp file → fsync → chmod → rename → dir fsync. */
export async function writeStreamAtomic(
  path: string,
  source: AsyncIterable<Uint8Array>,
  options: AtomicStreamOptions,
): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.tmp-${basename(target)}${randomBytes(6).toString('hex')}`);
  const file = await open(tmp, 'wx', 0o600);
  let written = 0;
  try {
    try {
      for await (const chunk of source) {
        options.signal?.throwIfAborted();
        for (let done = 0; done < chunk.length;) {
          done += (await file.write(chunk, done, chunk.length - done)).bytesWritten;
        }
        written += chunk.length;
        options.onProgress?.(written);
      }
      await file.sync();
      await file.chmod(options.mode);
    } finally {
      await file.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch((e: unknown) => {
      if (!hasErrno(e, 'ENOENT')) throw e;
    });
    throw err;
  }
  await syncDir(dir);
}
