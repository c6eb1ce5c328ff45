import { statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import { hasErrno, isMoorError } from '../core/index.js';
import { type FileWaker, createFileWaker } from './file-waker.js';
import { k8sEntries } from './k8s-line.js';
import { HOLD_PARTIAL_MS, createLineAssembler } from './line-assembler.js';
import type { LogDriver } from './log-driver.js';
import type { LogEntry } from './log-entry.js';
import { inodeOf } from './log-files.js';
import { readAt } from './log-format.js';
import { type Checkpoint, readCheckpoint, writeCheckpoint } from './pump-checkpoint.js';

/**
 * Converts a monitor's CRI ("k8s-file") log into a log driver's files, and hands every entry
 * to live listeners (attach).
 *
 * Nothing is lost while moord is down: conmon keeps appending to the source, and the pump
 * stores how far it has converted (the checkpoint) only after the driver has written a batch,
 * so a restarted pump continues from there — at worst, after a crash, one batch is written
 * twice. The source is kept small: past `rotateSourceAbove` it is renamed to `<source>.old`
 * and conmon is asked (`reopenSource`) to start a new file; once the new one exists, conmon
 * has let go of the old one, which is converted to its end and deleted. A crash in the middle
 * is finished at the next start.
 *
 * conmon's records are pieces of lines as its reads cut them; the driver gets Docker's
 * messages (see LineAssembler): a line still being written is held back for a while — the
 * checkpoint stays before it — so that its pieces are stored as one message.
 */
export interface LogPump {
  /** Catches up from the checkpoint, then follows the source (inotify, and a slow poll). */
  start(): Promise<void>;
  /**
   * Converts everything in the source now (but a line still being written). `final` (the
   * writer is gone) also stores unfinished lines and a last record without newline, and
   * converts a moved-aside `.old` even if no new source appeared.
   */
  drain(options?: { final?: boolean }): Promise<void>;
  /** Stops following, waits for a conversion in progress, closes the driver. */
  stop(): Promise<void>;
  /**
   * Calls `listener` with each batch of records as soon as it is read: conmon's pieces, not
   * held back (a prompt without newline reaches attach at once), stored unless a line is
   * still being written. A listener that throws is unsubscribed. Returns the unsubscribe
   * function.
   */
  subscribe(listener: (entries: LogEntry[]) => void): () => void;
}

export interface LogPumpOptions {
  /** conmon's k8s-file log. */
  source: string;
  /** A small file holding how far the source has been converted. */
  checkpoint: string;
  driver: LogDriver;
  /** Asks conmon to re-create the source (it writes `<source>.tmp`, renames it over). */
  reopenSource: () => Promise<void>;
  /** Size of the source after which it is rotated (default 8 MiB). */
  rotateSourceAbove?: number;
  /**
   * The fallback poll when inotify misses events (ms, default 5000; at most 1000 when the
   * directory cannot be watched). A poll that finds the source as last converted does nothing.
   */
  pollMs?: number;
  /** Errors of background conversions (the next event or poll retries). */
  onError?: (err: unknown) => void;
}

export const DEFAULT_ROTATE_SOURCE_ABOVE = 8 * 1024 * 1024;
const CHUNK = 4 << 20;
const DEFAULT_POLL_MS = 5000;

/** Where conversion of a file stands (`ino` undefined: the file is not known yet). */
type Position = Checkpoint;

async function lastStoredEntry(driver: LogDriver): Promise<LogEntry | undefined> {
  try {
    let last: LogEntry | undefined;
    for await (const entry of driver.readLogs({
      stdout: true,
      stderr: true,
      tail: 1,
      follow: false,
      signal: new AbortController().signal,
      done: Promise.resolve(),
    })) {
      last = entry;
    }
    return last;
  } catch (err) {
    // A driver that keeps nothing to read (`none`) has nothing to compare with.
    if (isMoorError(err, 'NotImplemented')) return undefined;
    throw err;
  }
}

export function createLogPump(options: LogPumpOptions): LogPump {
  const { source, checkpoint, driver } = options;
  const old = `${source}.old`;
  const rotateAbove = options.rotateSourceAbove ?? DEFAULT_ROTATE_SOURCE_ABOVE;
  const listeners = new Set<(entries: LogEntry[]) => void>();
  const report = options.onError ?? (() => undefined);
  let current: Position = { offset: 0 };
  /** The moved-aside source while a rotation is under way. */
  let rotating: Position | undefined;
  let stopped = false;
  let waker: FileWaker | undefined;
  let loop: Promise<void> | undefined;
  let initialized: Promise<void> | undefined;
  const assembler = createLineAssembler();
  /** How far listeners have had the records (raw, before lines are assembled). */
  let published: Position = { offset: 0 };
  /** Whether the last conversion held back a line still being written. */
  let held = false;
  let holdTimer: NodeJS.Timeout | undefined;

  function publish(entries: LogEntry[]): void {
    for (const listener of listeners) {
      try {
        listener(entries);
      } catch (err) {
        listeners.delete(listener);
        report(err);
      }
    }
  }

  /** The records of a read that listeners have not had yet (in-memory: per file). */
  function unpublished(records: LogEntry[], starts: number[], at: number, ino: bigint) {
    if (published.ino !== ino) published = { offset: at, ino };
    const from = published.offset - at;
    let i = 0;
    while (i < records.length && (starts[i] as number) < from) i++;
    return i === 0 ? records : records.slice(i);
  }

  /** Converts `path` from `at`, checkpointing after each batch; returns the new position. */
  async function convert(path: string, at: Position, final: boolean): Promise<Position> {
    let file;
    try {
      file = await open(path, 'r');
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return at;
      throw err;
    }
    try {
      const info = await file.stat({ bigint: true });
      const size = Number(info.size);
      // Another file than the checkpoint's, or one cut short: convert it from its start.
      const sameFile = at.ino === undefined || at.ino === info.ino;
      let pos = sameFile && at.offset <= size ? at.offset : 0;
      let skip = sameFile && pos === at.offset ? (at.skip ?? 0) : 0;
      let chunk = CHUNK;
      while (pos < size) {
        const want = Math.min(size - pos, chunk);
        const data = Buffer.allocUnsafe(want);
        const got = await readAt(file, data, want, pos);
        if (got === 0) break;
        const atEnd = pos + got >= size;
        let end = data.lastIndexOf(0x0a, got - 1) + 1;
        if (end === 0) {
          if (!atEnd) {
            chunk *= 2; // one record longer than a chunk
            continue;
          }
          if (!final) break;
          end = got;
        }
        const starts: number[] = [];
        const records = k8sEntries(data, 0, end, starts);
        const now = Date.now();
        const first = starts[0] === 0 ? skip : 0;
        let { entries, cut } = assembler.assemble(records, { flush: final, now, skip: first });
        // Nothing of this read stored, with more in the file: holding would never end.
        if (cut.index === 0 && cut.bytes === first && records.length > 0 && !atEnd) {
          ({ entries, cut } = assembler.assemble(records, { flush: true, now, skip: first }));
        }
        entries = withoutStored(entries);
        if (entries.length > 0) await driver.write(entries);
        const fresh = unpublished(records, starts, pos, info.ino);
        published.offset = pos + end;
        const whole = cut.index >= records.length;
        const next = whole ? pos + end : pos + (starts[cut.index] as number);
        const nextSkip = whole ? 0 : cut.bytes;
        if (next !== pos || nextSkip !== skip) {
          await writeCheckpoint(checkpoint, { offset: next, ino: info.ino, skip: nextSkip });
        }
        if (fresh.length > 0) publish(fresh);
        const heldBack = !whole;
        held ||= heldBack;
        pos = next;
        skip = nextSkip;
        if (heldBack && atEnd) break;
      }
      return { offset: pos, ino: info.ino, skip };
    } finally {
      await file.close();
    }
  }

  /** Moves the source aside and asks for a new one; false when there was none. */
  async function beginRotation(): Promise<boolean> {
    try {
      await rename(source, old);
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return false;
      throw err;
    }
    rotating = current;
    current = { offset: 0 };
    await options.reopenSource();
    return true;
  }

  /** Converts the moved-aside source; once finished (see drain), deletes it. */
  async function convertOld(final: boolean): Promise<boolean> {
    if (!rotating) return true;
    // The new source exists only once conmon has closed the old one.
    const replaced = (await inodeOf(source)) !== undefined;
    rotating = await convert(old, rotating, final || replaced);
    if (!replaced && !final) return false;
    current = { offset: 0, ino: await inodeOf(source) };
    await writeCheckpoint(checkpoint, current);
    await rm(old, { force: true });
    rotating = undefined;
    return true;
  }

  async function convertAll(final: boolean): Promise<void> {
    held = false;
    for (;;) {
      if (!(await convertOld(final))) return;
      current = await convert(source, current, final);
      if (final || current.offset <= rotateAbove) return;
      if (!(await beginRotation())) return;
    }
  }

  /** Finishes a rotation a crash cut short, and loads the checkpoint. */
  async function init(): Promise<void> {
    const saved: Checkpoint | undefined = await readCheckpoint(checkpoint);
    const oldIno = await inodeOf(old);
    if (oldIno !== undefined) {
      if (saved?.ino === undefined || saved.ino === oldIno) {
        rotating = { ...(saved ?? { offset: 0 }), ino: oldIno };
        // Moved aside, but maybe never asked for a new file: ask (again).
        if ((await inodeOf(source)) === undefined) await options.reopenSource();
        return;
      }
      // The checkpoint already belongs to the new source: `.old` was converted.
      await rm(old, { force: true });
    }
    current = saved ?? { offset: 0 };
    if (saved) lastStored = await lastStoredEntry(driver);
  }

  /**
   * After a restart, the entry the driver holds last: a crash between a batch's write and its
   * checkpoint leaves that batch stored and unacknowledged, and the first batch converted
   * again is cut after it (instead of being stored twice).
   */
  let lastStored: LogEntry | undefined;
  function withoutStored(entries: LogEntry[]): LogEntry[] {
    const last = lastStored;
    if (!last || entries.length === 0) return entries;
    lastStored = undefined;
    const at = entries.findIndex((e) => e.time === last.time && e.line.equals(last.line));
    return at < 0 ? entries : entries.slice(at + 1);
  }

  // One conversion at a time; requests made meanwhile share one follow-up run.
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  function schedule(final: boolean): Promise<void> {
    if (!final && queued) return queued;
    const run: Promise<void> = chain.then(async () => {
      if (queued === run) queued = undefined;
      await (initialized ??= init());
      if (stopped && !final) return;
      if (final && sourceUnchanged()) return;
      await convertAll(final);
      // A held-back line is stored once it is old enough, even if nothing more is written.
      if (held && !stopped && holdTimer === undefined) {
        holdTimer = setTimeout(() => {
          holdTimer = undefined;
          waker?.wake();
        }, HOLD_PARTIAL_MS + 10);
        holdTimer.unref();
      }
    });
    if (!final) queued = run;
    chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Whether the source is as the last conversion left it: same file, converted to its end, no
   * rotation or held-back line pending. One stat (of a file the kernel has at hand, made at
   * once), where a conversion opens, reads and closes through the thread pool: the idle poll
   * of every running container's pump stays cheap, and so does an exit's final drain when
   * everything was converted already.
   */
  function sourceUnchanged(): boolean {
    if (initialized === undefined || queued !== undefined || rotating || held) return false;
    const { ino, offset } = current;
    const info = statSync(source, { bigint: true, throwIfNoEntry: false });
    return info !== undefined && info.ino === ino && info.size === BigInt(offset);
  }

  async function follow(w: FileWaker): Promise<void> {
    while (!stopped) {
      const reason = await w.wait();
      if (stopped) return;
      try {
        if (reason === 'poll' && sourceUnchanged()) continue;
        await schedule(false);
      } catch (err) {
        report(err);
      }
    }
  }

  return {
    async start() {
      if (stopped || waker) return;
      // Watching first: what is written during the catch-up wakes the loop.
      const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
      waker = createFileWaker({
        dir: dirname(source),
        pollMs: Math.min(pollMs, 1000),
        watchedPollMs: pollMs,
        accept: (name) => name === basename(source) || name === basename(old),
        ref: false,
      });
      try {
        await schedule(false);
      } catch (err) {
        waker.close();
        waker = undefined;
        throw err;
      }
      loop = follow(waker);
    },
    drain: (opts) => (stopped ? Promise.resolve() : schedule(opts?.final === true)),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(holdTimer);
      waker?.close();
      await loop;
      await chain;
      await driver.close();
      listeners.clear();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
