import type { LogEntry } from './log-entry.js';
import { type BufferedIterator, flattenBatches } from './batch-iterator.js';
import { type FollowStart, followLog, selectEntries } from './log-follow.js';
import { type OpenLogFile, closeLogFiles, openLogSet, readRecords } from './log-files.js';
import type { LogFormat } from './log-format.js';
import { createPieceJoiner } from './piece-joiner.js';
import { secondsToTime } from './log-time.js';

/** What `docker logs` asks of a driver's reader. */
export interface LogReadOptions {
  stdout: boolean;
  stderr: boolean;
  /**
   * Only entries at or after this time, as in dockerd: Unix seconds (with fraction), or a
   * normalized time (exact to the nanosecond, see apiTimestampToTime).
   */
  since?: number | string;
  /** Only entries at or before this time (as `since`); reading ends at the first later one. */
  until?: number | string;
  /**
   * Only the last `tail` entries of the log (all when undefined). As in dockerd they are
   * counted before the stream and time filters: `--tail 5` shows what remains of the last 5.
   */
  tail?: number;
  /** Go on with new entries as they are written, across rotations. */
  follow: boolean;
  /** Ends the reading (quietly) when aborted. */
  signal: AbortSignal;
  /** Resolves when the container has exited and all its output is written: follow then ends. */
  done: Promise<void>;
  /** How often follow looks for new entries when no file event came (ms, default 500). */
  pollMs?: number;
}

/** Which file and offset the last `tail` records start at (index = files.length: none). */
async function tailStart(
  files: readonly OpenLogFile[],
  format: LogFormat,
  tail: number | undefined,
): Promise<[number, number]> {
  if (tail === undefined) return [0, 0];
  const last = files[files.length - 1];
  if (tail <= 0 || last === undefined) return [files.length - 1, last?.size ?? 0];
  let need = tail;
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i] as OpenLogFile;
    const { offset, found } = await format.tailStart(file.handle, file.size, need);
    need -= found;
    if (need === 0) return [i, offset];
  }
  return [0, 0];
}

/**
 * Reads a driver's log at `path` (with its rotated files, oldest first) for `docker logs`.
 * The set of files is taken when reading starts; what is written later comes through follow.
 */
export function readLogFiles(
  path: string,
  format: LogFormat,
  options: LogReadOptions,
): BufferedIterator<LogEntry> {
  return flattenBatches(readBatches(path, format, options));
}

function timeOf(value: number | string | undefined): string | undefined {
  return typeof value === 'number' ? secondsToTime(value) : value;
}

async function* readBatches(
  path: string,
  format: LogFormat,
  options: LogReadOptions,
): AsyncGenerator<LogEntry[]> {
  const since = timeOf(options.since);
  const until = timeOf(options.until);
  const select = (e: LogEntry): 'yield' | 'skip' | 'stop' => {
    if (until !== undefined && e.time > until) return 'stop';
    if (!(e.stream === 'stdout' ? options.stdout : options.stderr)) return 'skip';
    return since !== undefined && e.time < since ? 'skip' : 'yield';
  };

  const files = await openLogSet(path);
  const current: FollowStart = { offset: 0 };
  const newest = files[files.length - 1];
  if (newest?.path === path) {
    current.handle = newest.handle;
    current.ino = newest.ino;
    current.offset = newest.size;
  }
  let following = false;
  const joiner = createPieceJoiner();
  try {
    const [first, offset] = await tailStart(files, format, options.tail);
    for (let i = Math.max(0, first); i < files.length; i++) {
      const file = files[i] as OpenLogFile;
      const progress = { offset: i === first ? offset : 0 };
      for await (const batch of readRecords(file.handle, format, progress, file.size)) {
        const picked = selectEntries(joiner.push(batch), select);
        if (picked.length > 0) yield picked;
        if (picked.stopped === true || options.signal.aborted) return;
      }
      // An incomplete last record (being written) is read again by follow.
      if (file === newest && current.handle) current.offset = progress.offset;
    }
    if (options.signal.aborted) return;
    if (!options.follow) {
      const rest = selectEntries(joiner.flush(), select);
      if (rest.length > 0) yield rest;
      return;
    }
    following = true;
    await closeLogFiles(files.filter((f) => f.handle !== current.handle));
    yield* followLog(path, format, current, {
      select,
      joiner,
      ...(until === undefined ? {} : { until: Date.parse(until) / 1000 }),
      signal: options.signal,
      done: options.done,
      pollMs: options.pollMs ?? 500,
    });
  } finally {
    if (!following) await closeLogFiles(files);
  }
}
