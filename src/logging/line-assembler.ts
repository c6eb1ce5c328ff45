import type { LogEntry, LogStream } from './log-entry.js';

/**
 * dockerd's largest log message: a longer line is stored as pieces of exactly this many bytes
 * (partial, without newline) and a last piece that ends with the newline.
 */
export const MAX_MESSAGE = 16 * 1024;

/** How long a line without its newline is held back before what there is of it is stored. */
export const HOLD_PARTIAL_MS = 1000;

/** Where assembling stopped: a record, and how many of its bytes are stored already. */
export interface RecordCut {
  index: number;
  bytes: number;
}

export interface AssembleOptions {
  /**
   * Store what there is: the writer is gone, or holding back would never progress. Unfinished
   * lines become partial entries.
   */
  flush: boolean;
  /** The current time (ms since the epoch): lines unfinished for HOLD_PARTIAL_MS are stored. */
  now: number;
  /** Bytes at the start of the first record that were stored by an earlier call. */
  skip?: number;
}

export interface Assembled {
  /** Docker's messages, in the order their lines ended (or were stored unfinished). */
  entries: LogEntry[];
  /** Where the caller goes on next time (index = records.length, bytes = 0: all used). */
  cut: RecordCut;
}

/**
 * Turns monitor records (conmon splits output where its reads end, into pieces of up to 8 KiB)
 * into Docker's messages: one entry per line up to MAX_MESSAGE bytes, longer lines in pieces of
 * MAX_MESSAGE, every piece with the time of the line's first one. What a line has beyond its
 * whole pieces while its end is not there yet is held back — assembling stops at its first
 * byte, with what follows, and the caller reads from there again later (`skip` the bytes of
 * that record stored already) — unless the line is older than HOLD_PARTIAL_MS or `flush` is
 * set: then it becomes a partial entry.
 *
 * The assembler remembers, per stream, the time of a line that has stored pieces and goes on
 * in later records (lost with the process: the rest of such a line then has its own time).
 */
export interface LineAssembler {
  assemble(records: readonly LogEntry[], options: AssembleOptions): Assembled;
}

/** A line being put together; `parts` say which bytes of which records it holds. */
interface OpenLine {
  time: string;
  pieces: Buffer[];
  length: number;
  /** Bytes of it stored as whole pieces. */
  stored: number;
  parts: { index: number; from: number; length: number }[];
}

type Continuing = Record<LogStream, string | undefined>;

function concat(pieces: Buffer[], length: number): Buffer {
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, length);
}

function before(a: RecordCut, b: RecordCut): boolean {
  return a.index < b.index || (a.index === b.index && a.bytes < b.bytes);
}

/** Where the part of `line` not stored yet starts. */
function restOf(line: OpenLine): RecordCut {
  let at = 0;
  for (const part of line.parts) {
    if (at + part.length > line.stored) {
      return { index: part.index, bytes: part.from + line.stored - at };
    }
    at += part.length;
  }
  const last = line.parts[line.parts.length - 1] as OpenLine['parts'][number];
  return { index: last.index, bytes: last.from + last.length };
}

/**
 * Messages of the records before `end` (of record end.index, its first end.bytes). Returns the
 * lines still open, and updates `continuing` as their lines close.
 */
function build(
  records: readonly LogEntry[],
  skip: number,
  end: RecordCut,
  continuing: Continuing,
  out: LogEntry[],
): Partial<Record<LogStream, OpenLine>> {
  const open: Partial<Record<LogStream, OpenLine>> = {};
  const last = Math.min(records.length - 1, end.bytes > 0 ? end.index : end.index - 1);
  for (let i = 0; i <= last; i++) {
    const record = records[i] as LogEntry;
    const { stream } = record;
    const from = i === 0 ? skip : 0;
    const cutHere = i === end.index;
    const partial = record.partial || cutHere;
    const bytes = record.line.subarray(from, cutHere ? end.bytes : record.line.length);
    let line = open[stream];
    if (line === undefined && !partial && from === 0 && bytes.length <= MAX_MESSAGE) {
      // The common case: a whole line in one record.
      const time = continuing[stream];
      out.push(time === undefined ? record : { ...record, time });
      continuing[stream] = undefined;
      continue;
    }
    if (line === undefined) {
      line = {
        time: continuing[stream] ?? record.time,
        pieces: [],
        length: 0,
        stored: 0,
        parts: [],
      };
      open[stream] = line;
    }
    line.pieces.push(bytes);
    line.length += bytes.length;
    line.parts.push({ index: i, from, length: bytes.length });
    // Whole pieces of MAX_MESSAGE bytes; the newline goes with the last piece.
    const limit = partial ? MAX_MESSAGE : MAX_MESSAGE + 1;
    if (line.length >= limit) {
      const data = concat(line.pieces, line.length);
      let at = 0;
      for (; data.length - at >= limit; at += MAX_MESSAGE) {
        const piece = data.subarray(at, at + MAX_MESSAGE);
        out.push({ time: line.time, stream, line: piece, partial: true });
      }
      line.pieces = at < data.length ? [data.subarray(at)] : [];
      line.length = data.length - at;
      line.stored += at;
    }
    if (!partial) {
      if (line.length > 0) {
        const rest = concat(line.pieces, line.length);
        out.push({ time: line.time, stream, line: rest, partial: false });
      }
      delete open[stream];
      continuing[stream] = undefined;
    }
  }
  return open;
}

export function createLineAssembler(): LineAssembler {
  /** The first time of lines that have stored pieces and continue in later records. */
  let continuing: Continuing = { stdout: undefined, stderr: undefined };

  return {
    assemble(records, options) {
      const skip = options.skip ?? 0;
      const all: RecordCut = { index: records.length, bytes: 0 };
      const simple =
        skip === 0 &&
        continuing.stdout === undefined &&
        continuing.stderr === undefined &&
        records.every((r) => !r.partial && r.line.length <= MAX_MESSAGE);
      if (simple) return { entries: records.slice(), cut: all };
      let end = all;
      // Hold back from the first byte of a line that is not stored yet, with all that follows
      // (entries stay in order); stopping earlier may leave other lines open: again.
      while (!options.flush) {
        const open = build(records, skip, end, { ...continuing }, []);
        let cut = end;
        for (const line of Object.values(open)) {
          if (Date.parse(line.time) <= options.now - HOLD_PARTIAL_MS) continue;
          const rest = restOf(line);
          if (before(rest, cut)) cut = rest;
        }
        if (!before(cut, end)) break;
        end = cut;
      }
      // A record used to its end: go on after it.
      const at = records[end.index];
      if (at !== undefined && end.bytes > 0 && end.bytes >= at.line.length) {
        end = { index: end.index + 1, bytes: 0 };
      }
      const entries: LogEntry[] = [];
      const next = { ...continuing };
      const open = build(records, skip, end, next, entries);
      for (const [stream, line] of Object.entries(open) as [LogStream, OpenLine][]) {
        if (line.length > 0) {
          const rest = concat(line.pieces, line.length);
          entries.push({ time: line.time, stream, line: rest, partial: true });
        }
        next[stream] = line.time;
      }
      continuing = next;
      return { entries, cut: end };
    },
  };
}
