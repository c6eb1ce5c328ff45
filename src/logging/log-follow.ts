import type { FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import { createFileWaker } from './file-waker.js';
import type { LogEntry } from './log-entry.js';
import { inodeOf, openLogFile, readRecords } from './log-files.js';
import type { LogFormat } from './log-format.js';
import { type PieceJoiner, createPieceJoiner } from './piece-joiner.js';
import { rotatedPaths } from './rotating-file.js';

/** The entries `select` keeps, and whether it said to stop. */
export function selectEntries(
  batch: readonly LogEntry[],
  select: FollowOptions['select'],
): LogEntry[] & { stopped?: boolean } {
  const picked: LogEntry[] & { stopped?: boolean } = [];
  for (const entry of batch) {
    const what = select(entry);
    if (what === 'stop') {
      picked.stopped = true;
      break;
    }
    if (what === 'yield') picked.push(entry);
  }
  return picked;
}

/** Where following starts: the current file (if any) and how far it was read. */
export interface FollowStart {
  handle?: FileHandle;
  ino?: bigint;
  offset: number;
}

export interface FollowOptions {
  /** What to do with an entry: yield it, skip it, or end (past `until`). */
  select: (entry: LogEntry) => 'yield' | 'skip' | 'stop';
  /** Joins pieces of long lines (holding those of unfinished lines until following waits). */
  joiner?: PieceJoiner;
  /** Unix seconds after which following ends (`until` in the future). */
  until?: number;
  signal: AbortSignal;
  done: Promise<void>;
  pollMs: number;
}

/**
 * The file that came after the one with inode `ino`: after a rotation it is `.1`, then the
 * current file; after several, the next older one. When `ino` is gone (dropped, or a log of
 * one file re-created), the current file.
 */
async function fileAfter(path: string, ino: bigint): Promise<string> {
  const paths = await rotatedPaths(path);
  for (let i = 0; i < paths.length - 1; i++) {
    if ((await inodeOf(paths[i] as string)) === ino) return paths[i + 1] as string;
  }
  return path;
}

/**
 * Yields entries appended to a log from `start` on — across rotations: when the name points
 * to a new file, the old one is read to its end, then the next ones from their start — until
 * the signal aborts, `until` passes, or `done` has resolved and everything written is read.
 */
export async function* followLog(
  path: string,
  format: LogFormat,
  start: FollowStart,
  options: FollowOptions,
): AsyncGenerator<LogEntry[]> {
  const base = basename(path);
  const waker = createFileWaker({
    dir: dirname(path),
    pollMs: options.pollMs,
    accept: (name) => name.startsWith(base),
  });
  let exited = false;
  const onDone = () => {
    exited = true;
    waker.wake();
  };
  options.done.then(onDone, onDone);
  const onAbort = () => waker.wake();
  options.signal.addEventListener('abort', onAbort, { once: true });
  let { handle, ino } = start;
  const progress = { offset: start.offset };
  let stopped = false;
  let progressed = false;
  const joiner = options.joiner ?? createPieceJoiner();

  /** Unfinished lines as they are, before waiting or ending. */
  function* flushPieces(): Generator<LogEntry[]> {
    const picked = selectEntries(joiner.flush(), options.select);
    if (picked.length > 0) yield picked;
    if (picked.stopped) stopped = true;
  }

  async function* readNew(): AsyncGenerator<LogEntry[]> {
    if (!handle) return;
    for await (const batch of readRecords(handle, format, progress)) {
      progressed = true;
      const picked = selectEntries(joiner.push(batch), options.select);
      if (picked.length > 0) yield picked;
      if (picked.stopped) {
        stopped = true;
        return;
      }
    }
  }

  try {
    for (;;) {
      if (options.signal.aborted) return;
      const wasExited = exited;
      progressed = false;
      yield* readNew();
      if (stopped) return;
      const now = await inodeOf(path);
      if (now !== undefined && now !== ino) {
        // Rotated: the writer is done with the old file; finish it, then go on.
        yield* readNew();
        if (stopped) return;
        const next = ino === undefined ? path : await fileAfter(path, ino);
        await handle?.close();
        handle = undefined;
        const file = await openLogFile(next);
        handle = file?.handle;
        ino = file?.ino;
        progress.offset = 0;
        continue;
      }
      if (progressed) continue;
      yield* flushPieces();
      if (stopped || wasExited) return;
      if (options.until !== undefined && Date.now() / 1000 > options.until) return;
      await waker.wait();
    }
  } finally {
    waker.close();
    options.signal.removeEventListener('abort', onAbort);
    await handle?.close();
  }
}
