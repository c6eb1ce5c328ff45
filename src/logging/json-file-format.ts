import type { FileHandle } from 'node:fs/promises';

import { ByteWriter } from './byte-writer.js';
import { unescapeJsonString, writeGoJsonString } from './go-json.js';
import type { LogEntry } from './log-entry.js';
import type { EncodedBatch, LogEncoder, LogFormat, TailStart } from './log-format.js';
import { readAt } from './log-format.js';
import { goRfc3339NanoEnd, looksNormalized, normalizeTime } from './log-time.js';

/**
 * Docker's json-file format: one compact JSON object per line, keys in dockerd's order —
 * `{"log":"hello\n","stream":"stdout","time":"2026-11-22T12:47:34.485480612Z"}` — with the
 * `log` string escaped as dockerd's jsonlog writer does (JsonEscapeStyle `docker-log`), `log`
 * left out when empty, `"attrs":{...}` before `time` when the driver has extra attributes, and
 * the time in Go's RFC3339Nano form (trailing zeros of the fraction dropped).
 */

const STREAM_STDOUT = Buffer.from('"stream":"stdout",');
const STREAM_STDERR = Buffer.from('"stream":"stderr",');
const LOG_KEY = Buffer.from('{"log":');
const TIME_KEY = Buffer.from('"time":"');
const RECORD_END = Buffer.from('Z"}\n');
const PREFIX = Buffer.from('{"log":"');
const MIDDLE_STDOUT = Buffer.from('","stream":"stdout","time":"');
const MIDDLE_STDERR = Buffer.from('","stream":"stderr","time":"');
const MIDDLE_LENGTH = MIDDLE_STDOUT.length;

/** Go's json.Marshal of a map[string]string: keys sorted byte-wise, encoding/json escapes. */
export function goMapJson(map: Record<string, string>): Buffer {
  const keys = Object.keys(map).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const w = new ByteWriter(256);
  w.byte(0x7b);
  keys.forEach((key, i) => {
    if (i > 0) w.byte(0x2c);
    writeGoJsonString(w, Buffer.from(key), 'encoding-json');
    w.byte(0x3a);
    writeGoJsonString(w, Buffer.from(map[key] ?? ''), 'encoding-json');
  });
  w.byte(0x7d);
  return Buffer.from(w.bytesWritten());
}

function createEncoder(attrs: Record<string, string>): LogEncoder {
  const attrsField =
    Object.keys(attrs).length === 0
      ? undefined
      : Buffer.concat([Buffer.from('"attrs":'), goMapJson(attrs), Buffer.from(',')]);
  return {
    encode(entries): EncodedBatch {
      let bytes = 0;
      for (const e of entries) bytes += e.line.length;
      const w = new ByteWriter(bytes + entries.length * (80 + (attrsField?.length ?? 0)));
      const ends: number[] = [];
      for (const e of entries) {
        if (e.line.length > 0) {
          w.bytes(LOG_KEY);
          writeGoJsonString(w, e.line, 'docker-log');
          w.byte(0x2c);
        } else w.byte(0x7b);
        w.bytes(e.stream === 'stderr' ? STREAM_STDERR : STREAM_STDOUT);
        if (attrsField) w.bytes(attrsField);
        w.bytes(TIME_KEY);
        w.latin1(e.time, 0, goRfc3339NanoEnd(e.time));
        w.bytes(RECORD_END);
        ends.push(w.length);
      }
      return { data: w.bytesWritten(), ends };
    },
  };
}

function startsWith(data: Buffer, at: number, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i++) if (data[at + i] !== prefix[i]) return false;
  return true;
}

/** An odd number of backslashes before `at` means the quote there is escaped. */
function isEscaped(data: Buffer, from: number, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= from && data[i] === 0x5c; i--) n++;
  return n % 2 === 1;
}

/**
 * The fast path for records in exactly the form written here (and by dockerd without attrs):
 * the log string is found from the fixed suffix and unescaped byte-wise, without JSON.parse.
 */
function decodeFixedForm(data: Buffer, s: number, e: number, out: ByteWriter): LogEntry | null {
  if (e - s < PREFIX.length + MIDDLE_LENGTH + 2 || !startsWith(data, s, PREFIX)) return null;
  if (data[e - 1] !== 0x7d || data[e - 2] !== 0x22) return null;
  const timeQuote = data.lastIndexOf(0x22, e - 3);
  const middle = timeQuote + 1 - MIDDLE_LENGTH;
  if (timeQuote < 0 || middle < s + PREFIX.length) return null;
  let stream: LogEntry['stream'];
  if (startsWith(data, middle, MIDDLE_STDOUT)) stream = 'stdout';
  else if (startsWith(data, middle, MIDDLE_STDERR)) stream = 'stderr';
  else return null;
  if (isEscaped(data, s + PREFIX.length, middle)) return null;
  const raw = data.toString('latin1', timeQuote + 1, e - 2);
  const time = looksNormalized(raw) ? raw : normalizeTime(raw);
  if (time === undefined) return null;
  const from = s + PREFIX.length;
  const slash = data.indexOf(0x5c, from);
  let line: Buffer;
  if (slash < 0 || slash >= middle) line = data.subarray(from, middle);
  else {
    const at = out.length;
    if (!unescapeJsonString(out, data, from, middle)) return null;
    line = out.slice(at);
  }
  return { time, stream, line, partial: line[line.length - 1] !== 0x0a };
}

interface JsonRecord {
  log?: unknown;
  stream?: unknown;
  time?: unknown;
  attrs?: unknown;
}

/** Any other valid record (with attrs, without log, other key orders). */
function decodeGeneric(text: string): LogEntry | undefined {
  let record: JsonRecord;
  try {
    record = JSON.parse(text) as JsonRecord;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (typeof record !== 'object' || record === null) return undefined;
  const time = typeof record.time === 'string' ? normalizeTime(record.time) : undefined;
  if (time === undefined) return undefined;
  const line = Buffer.from(typeof record.log === 'string' ? record.log : '', 'utf8');
  const entry: LogEntry = {
    time,
    stream: record.stream === 'stderr' ? 'stderr' : 'stdout',
    line,
    partial: line[line.length - 1] !== 0x0a,
  };
  if (typeof record.attrs === 'object' && record.attrs !== null) {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(record.attrs)) if (typeof v === 'string') attrs[k] = v;
    entry.attrs = attrs;
  }
  return entry;
}

function decode(data: Buffer, out: LogEntry[]): number {
  // Unescaped text is never longer than its escaped form: one buffer serves the whole chunk.
  const unescaped = new ByteWriter(data.length);
  let at = 0;
  for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, at)) {
    const entry =
      decodeFixedForm(data, at, nl, unescaped) ?? decodeGeneric(data.toString('utf8', at, nl));
    if (entry !== undefined) out.push(entry);
    at = nl + 1;
  }
  return at;
}

const TAIL_CHUNK = 64 * 1024;

/** Record k from the end starts just after the (k+1)-th newline from the end. */
async function tailStart(file: FileHandle, size: number, count: number): Promise<TailStart> {
  const chunk = Buffer.allocUnsafe(TAIL_CHUNK);
  let seen = 0;
  let pos = size;
  while (pos > 0 && count > 0) {
    const from = Math.max(0, pos - TAIL_CHUNK);
    const n = await readAt(file, chunk, pos - from, from);
    for (let i = n - 1; i >= 0;) {
      const nl = chunk.lastIndexOf(0x0a, i);
      if (nl < 0) break;
      if (++seen === count + 1) return { offset: from + nl + 1, found: count };
      i = nl - 1;
    }
    pos = from;
  }
  return { offset: count > 0 ? 0 : size, found: Math.min(seen, count) };
}

export const jsonFileFormat: LogFormat = { createEncoder, decode, tailStart };
