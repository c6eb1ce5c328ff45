import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { hasErrno, writeFileAtomic } from '../core/index.js';
import type { EventInput, EventRecord } from './event-record.js';

/** How many events are kept for `--since` (Docker keeps 256 in memory; moord keeps them on disk too). */
const KEPT = 1000;

export interface EventSubscription {
  /** Replay from (inclusive, ns); undefined: only new events. */
  sinceNano?: bigint;
  /** Stop at (inclusive, ns); the subscription ends then. */
  untilNano?: bigint;
  accept: (event: EventRecord) => boolean;
  signal: AbortSignal;
}

/**
 * The engine's events: published by the services, kept (bounded) in memory and in
 * `<data-root>/events.jsonl` so `--since` replays the recent past across restarts, and sent
 * to subscribers as they happen. A torn last line (a crash while appending) is skipped.
 */
export interface EventLog {
  publish: (event: EventInput) => void;
  /** Past events (since…), then live ones until `until` or the signal. */
  subscribe(options: EventSubscription): AsyncIterable<EventRecord>;
  /** Waits for pending appends. */
  flush(): Promise<void>;
  /** Waits for pending appends and closes the file. */
  close(): Promise<void>;
}

interface Stored {
  type: EventRecord['type'];
  action: string;
  actor: EventRecord['actor'];
  timeNano: string;
}

function parseLine(line: string): EventRecord | undefined {
  try {
    const stored = JSON.parse(line) as Stored;
    return { ...stored, timeNano: BigInt(stored.timeNano) };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

function serialize(event: EventRecord): string {
  return JSON.stringify({ ...event, timeNano: event.timeNano.toString() });
}

export async function openEventLog(
  path: string,
  now = () => BigInt(Date.now()) * 1_000_000n,
): Promise<EventLog> {
  let kept: EventRecord[] = [];
  try {
    kept = (await readFile(path, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(parseLine)
      .filter((e): e is EventRecord => e !== undefined)
      .slice(-KEPT);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  await writeFileAtomic(path, kept.map((e) => `${serialize(e)}\n`).join(''), 0o600);
  // Appends go to one descriptor kept open, written at once: a few hundred bytes into the
  // page cache, where open/write/close on the thread pool cost three round trips each time.
  let fd: number | undefined = openSync(path, 'a', 0o600);
  let appended = 0;
  // Lines published while a write is under way go together in the next one.
  let pending = '';
  let writes: Promise<void> = Promise.resolve();
  const listeners = new Set<(event: EventRecord) => void>();
  let last = 0n;

  const writePending = async () => {
    const lines = pending;
    pending = '';
    // Closed: events still published (while the daemon stops) are kept in memory only.
    if (fd === undefined) return;
    if (appended > KEPT) {
      appended = 0;
      await writeFileAtomic(path, kept.map((e) => `${serialize(e)}\n`).join(''), 0o600);
      closeSync(fd);
      fd = openSync(path, 'a', 0o600);
    } else {
      writeSync(fd, lines);
    }
  };
  const append = (event: EventRecord) => {
    appended++;
    const scheduled = pending !== '';
    pending += `${serialize(event)}\n`;
    if (scheduled) return;
    // The file is the events' copy for the next start; subscribers get them from memory, so
    // a failed write (a full disk) loses nothing they see.
    writes = writes.then(writePending).catch(() => undefined);
  };

  return {
    publish(input) {
      // Strictly increasing times keep the order of events that share a clock tick.
      let timeNano = now();
      if (timeNano <= last) timeNano = last + 1n;
      last = timeNano;
      const event: EventRecord = { ...input, timeNano };
      kept.push(event);
      if (kept.length > KEPT) kept = kept.slice(-KEPT);
      append(event);
      for (const listener of listeners) listener(event);
    },
    async *subscribe(options) {
      const queue: EventRecord[] = [];
      let wake: (() => void) | undefined;
      const listener = (event: EventRecord) => {
        if (!options.accept(event)) return;
        queue.push(event);
        wake?.();
      };
      listeners.add(listener);
      const onAbort = () => wake?.();
      options.signal.addEventListener('abort', onAbort);
      const untilNano = options.untilNano;
      try {
        if (options.sinceNano !== undefined) {
          // The listener is in place: later events queue up; the snapshot holds the earlier.
          const snapshot = [...kept];
          const since = options.sinceNano;
          for (const event of snapshot) {
            if (event.timeNano < since) continue;
            if (untilNano !== undefined && event.timeNano > untilNano) break;
            if (options.accept(event)) yield event;
          }
          const replayedUpTo = snapshot.at(-1)?.timeNano ?? 0n;
          while (queue.length > 0 && (queue[0]?.timeNano ?? 0n) <= replayedUpTo) queue.shift();
        }
        while (!options.signal.aborted) {
          const next = queue.shift();
          if (next) {
            if (untilNano !== undefined && next.timeNano > untilNano) return;
            yield next;
            continue;
          }
          if (untilNano !== undefined && now() > untilNano) return;
          const timer =
            untilNano === undefined
              ? undefined
              : setTimeout(
                  () => wake?.(),
                  Math.max(0, Number((untilNano - now()) / 1_000_000n)) + 1,
                );
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          clearTimeout(timer);
        }
      } finally {
        listeners.delete(listener);
        options.signal.removeEventListener('abort', onAbort);
      }
    },
    flush: () => writes,
    async close() {
      await writes;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
