import type { LogEntry, LogStream } from './log-entry.js';
import { normalizeTime } from './log-time.js';

/**
 * One record of a CRI ("k8s-file") log, as conmon writes them, one per line:
 * `2026-11-22T19:57:25.279812000+00:00 stdout F hello`: the time, the stream, a tag (`F`: a
 * newline followed the content; `P`: not yet — a piece of a longer line, or output that ended
 * without newline), one space, then the raw content up to the newline.
 */
export interface K8sLine {
  /** Normalized: UTC, nine fractional digits, `Z`. */
  time: string;
  stream: LogStream;
  partial: boolean;
  /** The content, without the record's newline. Shares memory with the parsed buffer. */
  content: Buffer;
}

const SPACE = 0x20;
const COLON = 0x3a;
const F = 0x46;
const P = 0x50;

/** `stdout` or `stderr` at `at`, else undefined; compared byte by byte (no string made). */
function streamAt(buf: Buffer, at: number): LogStream | undefined {
  if (buf[at] !== 0x73 || buf[at + 1] !== 0x74 || buf[at + 2] !== 0x64) return undefined;
  const a = buf[at + 3];
  const b = buf[at + 4];
  const c = buf[at + 5];
  if (a === 0x6f && b === 0x75 && c === 0x74) return 'stdout';
  if (a === 0x65 && b === 0x72 && c === 0x72) return 'stderr';
  return undefined;
}

/** A record's fields, with the content given as its start in the buffer. */
export interface K8sRecord {
  time: string;
  stream: LogStream;
  partial: boolean;
  contentStart: number;
}

/**
 * Parses the record in `buf[start, end)` (without its newline). The fixed prefix is found with
 * indexOf and compared byte-wise; the content is not scanned. Undefined when malformed.
 */
export function parseK8sRecord(buf: Buffer, start: number, end: number): K8sRecord | undefined {
  const a = buf.indexOf(SPACE, start);
  // The time, a space, six letters of stream, a space and at least the tag letter.
  if (a < 0 || a + 9 > end || buf[a + 7] !== SPACE) return undefined;
  const stream = streamAt(buf, a + 1);
  if (stream === undefined) return undefined;
  const tag = buf[a + 8];
  if (tag !== F && tag !== P) return undefined;
  let contentStart = end;
  if (a + 9 < end) {
    // CRI allows more tags after a colon (`F:x`); the content starts after the next space.
    const next = buf[a + 9];
    if (next === SPACE) contentStart = a + 10;
    else if (next === COLON) {
      const space = buf.indexOf(SPACE, a + 9);
      contentStart = space < 0 || space >= end ? end : space + 1;
    } else return undefined;
  }
  const time = normalizeTime(buf.toString('latin1', start, a));
  if (time === undefined) return undefined;
  return { time, stream, partial: tag === P, contentStart };
}

/** Parses one k8s-file line (without its newline); undefined when malformed. */
export function parseK8sLine(line: Buffer): K8sLine | undefined {
  const record = parseK8sRecord(line, 0, line.length);
  if (record === undefined) return undefined;
  const { time, stream, partial, contentStart } = record;
  return { time, stream, partial, content: line.subarray(contentStart) };
}

const NEWLINE = Buffer.from('\n');

/**
 * The entries of the complete records in `data[start, end)`, where `end` is just after a
 * newline (or, for a final flush, the end of a last record without one). Malformed records are
 * skipped. Entries share memory with `data`: a full line's bytes are the content with the
 * record's own newline, so no copy is made. `starts`, when given, receives where each entry's
 * record starts in `data`.
 */
export function k8sEntries(
  data: Buffer,
  start: number,
  end: number,
  starts?: number[],
): LogEntry[] {
  const entries: LogEntry[] = [];
  let at = start;
  while (at < end) {
    let nl = data.indexOf(0x0a, at);
    if (nl < 0 || nl >= end) nl = end;
    const record = parseK8sRecord(data, at, nl);
    if (record !== undefined) {
      const { time, stream, partial, contentStart } = record;
      let line: Buffer;
      if (partial) line = data.subarray(contentStart, nl);
      else if (nl < end) line = data.subarray(contentStart, nl + 1);
      else line = Buffer.concat([data.subarray(contentStart, nl), NEWLINE]);
      entries.push({ time, stream, line, partial });
      starts?.push(at);
    }
    at = nl + 1;
  }
  return entries;
}
