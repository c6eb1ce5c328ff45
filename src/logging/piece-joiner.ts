import type { LogEntry, LogStream } from './log-entry.js';

/** Joined lines stop growing here: a longer one is returned in pieces of about this size. */
export const MAX_JOINED_LINE = 1024 * 1024;

/**
 * Joins the stored pieces of long lines back into one entry per line, for `docker logs`:
 * partial entries of a stream and the entry that ends their line become one entry with the
 * time of the first piece, so `--timestamps` shows one time per line (dockerd prints one per
 * piece, docker/cli#4941). Entries of the other stream pass by meanwhile.
 */
export interface PieceJoiner {
  /** The entries of `batch` with pieces joined; the pieces of unfinished lines are kept. */
  push(batch: LogEntry[]): LogEntry[];
  /** What is kept of unfinished lines, as partial entries (the reader waits, or ends). */
  flush(): LogEntry[];
}

interface Pending {
  first: LogEntry;
  pieces: Buffer[];
  length: number;
}

function joined(pending: Pending, partial: boolean): LogEntry {
  const { first, pieces, length } = pending;
  const line = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, length);
  return { ...first, line, partial };
}

export function createPieceJoiner(): PieceJoiner {
  const pending: Partial<Record<LogStream, Pending>> = {};
  let count = 0;

  function add(entry: LogEntry, out: LogEntry[]): void {
    const open = pending[entry.stream];
    if (open === undefined) {
      if (!entry.partial) {
        out.push(entry);
        return;
      }
      pending[entry.stream] = { first: entry, pieces: [entry.line], length: entry.line.length };
      count++;
      return;
    }
    open.pieces.push(entry.line);
    open.length += entry.line.length;
    if (!entry.partial || open.length >= MAX_JOINED_LINE) {
      out.push(joined(open, entry.partial));
      delete pending[entry.stream];
      count--;
    }
  }

  return {
    push(batch) {
      if (count === 0 && !batch.some((e) => e.partial)) return batch;
      const out: LogEntry[] = [];
      for (const entry of batch) add(entry, out);
      return out;
    },
    flush() {
      const out: LogEntry[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        const open = pending[stream];
        if (open) out.push(joined(open, true));
        delete pending[stream];
      }
      count = 0;
      return out;
    },
  };
}
