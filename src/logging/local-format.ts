import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

import { ByteWriter } from './byte-writer.js';
import type { LogEntry, LogStream } from './log-entry.js';
import type { EncodedBatch, LogEncoder, LogFormat, TailStart } from './log-format.js';
import { readAt } from './log-format.js';
import { timeNanos, timeSeconds } from './log-time.js';
import { ProtoReader, WIRE_BYTES, WIRE_VARINT, writeNanosVarint } from './proto-wire.js';

/**
 * Docker's `local` driver format: each record is a protobuf message framed by its length as a
 * big-endian uint32 before and after it (so the file can be walked backwards):
 *
 *   message LogEntry {
 *     string source = 1; int64 time_nano = 2; bytes line = 3; bool partial = 4;
 *     PartialLogEntryMetadata partial_log_metadata = 5; repeated LogAttr attrs = 6;
 *   }
 *   message PartialLogEntryMetadata { bool last = 1; string id = 2; int32 ordinal = 3; }
 *   message LogAttr { string key = 1; string value = 2; }
 *
 * As in dockerd, `line` has no trailing newline; a reader adds it unless the record is a
 * partial piece that is not the last of its line. A line written in pieces carries partial
 * metadata: one random id per line, ordinals from 1, `last` on the piece that ends it.
 * Zero values are left out, as proto3 encoders do.
 */

function writeBytesField(w: ByteWriter, field: number, src: Buffer, start = 0, end = src.length) {
  if (end <= start) return;
  w.byte((field << 3) | WIRE_BYTES);
  w.varint(end - start);
  w.bytes(src, start, end);
}

/** The attrs field (6), encoded once per driver: LogAttr messages sorted by key then value. */
function encodeAttrs(attrs: Record<string, string>): Buffer {
  const w = new ByteWriter(64);
  const pairs = Object.entries(attrs).sort(([ka, va], [kb, vb]) =>
    ka === kb ? Buffer.compare(Buffer.from(va), Buffer.from(vb)) : ka < kb ? -1 : 1,
  );
  for (const [key, value] of pairs) {
    const inner = new ByteWriter(64);
    writeBytesField(inner, 1, Buffer.from(key));
    writeBytesField(inner, 2, Buffer.from(value));
    writeBytesField(w, 6, inner.bytesWritten());
  }
  return Buffer.from(w.bytesWritten());
}

interface PartialLine {
  id: string;
  ordinal: number;
}

function encodeMetadata(last: boolean, id: string, ordinal: number): Buffer {
  const w = new ByteWriter(80);
  if (last) {
    w.byte((1 << 3) | WIRE_VARINT);
    w.byte(1);
  }
  writeBytesField(w, 2, Buffer.from(id, 'latin1'));
  w.byte((3 << 3) | WIRE_VARINT);
  w.varint(ordinal);
  return w.bytesWritten();
}

const STDOUT = Buffer.from('stdout');
const STDERR = Buffer.from('stderr');

function createEncoder(attrs: Record<string, string>): LogEncoder {
  const attrsField = encodeAttrs(attrs);
  /** Lines being written in pieces, per stream. */
  const open = new Map<LogStream, PartialLine>();

  function metadataFor(e: LogEntry): Buffer | undefined {
    const current = open.get(e.stream);
    if (e.partial) {
      const piece = current ?? { id: randomBytes(32).toString('hex'), ordinal: 0 };
      piece.ordinal++;
      open.set(e.stream, piece);
      return encodeMetadata(false, piece.id, piece.ordinal);
    }
    if (current === undefined) return undefined;
    open.delete(e.stream);
    return encodeMetadata(true, current.id, current.ordinal + 1);
  }

  function writeRecord(w: ByteWriter, e: LogEntry): void {
    const header = w.length;
    w.reserve(4);
    w.length += 4;
    writeBytesField(w, 1, e.stream === 'stderr' ? STDERR : STDOUT);
    const seconds = timeSeconds(e.time);
    const nanos = timeNanos(e.time);
    if (seconds !== 0 || nanos !== 0) {
      w.byte((2 << 3) | WIRE_VARINT);
      writeNanosVarint(w, seconds, nanos);
    }
    const full = !e.partial && e.line[e.line.length - 1] === 0x0a;
    writeBytesField(w, 3, e.line, 0, full ? e.line.length - 1 : e.line.length);
    const metadata = metadataFor(e);
    if (metadata !== undefined) {
      w.byte((4 << 3) | WIRE_VARINT);
      w.byte(1);
      writeBytesField(w, 5, metadata);
    }
    w.bytes(attrsField);
    const size = w.length - header - 4;
    w.setUint32BE(header, size);
    w.reserve(4);
    w.length += 4;
    w.setUint32BE(w.length - 4, size);
  }

  return {
    encode(entries): EncodedBatch {
      let bytes = 0;
      for (const e of entries) bytes += e.line.length;
      const w = new ByteWriter(bytes + entries.length * (40 + attrsField.length));
      const ends: number[] = [];
      for (const e of entries) {
        writeRecord(w, e);
        ends.push(w.length);
      }
      return { data: w.bytesWritten(), ends };
    },
  };
}

/** Whether partial metadata (field 5) says `last`. */
function isLastPiece(buf: Buffer, start: number, end: number): boolean {
  const r = new ProtoReader().reset(buf, start, end);
  while (r.at < r.end) {
    const key = r.varint();
    if (key === ((1 << 3) | WIRE_VARINT)) return r.varint() !== 0;
    r.skip(key & 7);
  }
  return false;
}

function decodeAttr(buf: Buffer, start: number, end: number, attrs: Record<string, string>) {
  const r = new ProtoReader().reset(buf, start, end);
  let key = '';
  let value = '';
  while (r.at < r.end) {
    const tag = r.varint();
    if (tag === ((1 << 3) | WIRE_BYTES) || tag === ((2 << 3) | WIRE_BYTES)) {
      r.bytes();
      const text = buf.toString('utf8', r.fieldStart, r.fieldEnd);
      if (tag >> 3 === 1) key = text;
      else value = text;
    } else r.skip(tag & 7);
  }
  attrs[key] = value;
}

/** `stderr` in field 1 (anything else reads as stdout), compared without making a string. */
function isStderr(buf: Buffer, start: number, end: number): boolean {
  return end - start === 6 && buf[start + 3] === 0x65 && buf[start + 5] === 0x72;
}

const EPOCH = '1970-01-01T00:00:00.000000000Z';

function decodeRecord(r: ProtoReader, lines: ByteWriter, out: LogEntry[]): void {
  const buf = r.buf;
  let stream: LogStream = 'stdout';
  let time = EPOCH;
  let lineStart = r.at;
  let lineEnd = r.at;
  let partial = false;
  let last = false;
  let attrs: Record<string, string> | undefined;
  while (r.at < r.end) {
    const key = r.varint();
    const wire = key & 7;
    switch (key >>> 3) {
      case 1:
        if (wire !== WIRE_BYTES) break;
        r.bytes();
        stream = isStderr(buf, r.fieldStart, r.fieldEnd) ? 'stderr' : 'stdout';
        continue;
      case 2:
        if (wire !== WIRE_VARINT) break;
        time = r.time();
        continue;
      case 3:
        if (wire !== WIRE_BYTES) break;
        r.bytes();
        lineStart = r.fieldStart;
        lineEnd = r.fieldEnd;
        continue;
      case 4:
        if (wire !== WIRE_VARINT) break;
        partial = r.varint() !== 0;
        continue;
      case 5:
        if (wire !== WIRE_BYTES) break;
        r.bytes();
        last = isLastPiece(buf, r.fieldStart, r.fieldEnd);
        continue;
      case 6:
        if (wire !== WIRE_BYTES) break;
        r.bytes();
        decodeAttr(buf, r.fieldStart, r.fieldEnd, (attrs ??= {}));
        continue;
    }
    r.skip(wire);
  }
  const piece = partial && !last;
  let line: Buffer;
  if (piece) line = buf.subarray(lineStart, lineEnd);
  else {
    const at = lines.length;
    lines.bytes(buf, lineStart, lineEnd);
    lines.byte(0x0a);
    line = lines.slice(at);
  }
  const entry: LogEntry = { time, stream, line, partial: piece };
  if (attrs !== undefined) entry.attrs = attrs;
  out.push(entry);
}

function decode(data: Buffer, out: LogEntry[]): number {
  const reader = new ProtoReader();
  // Full lines get their newline back: copied, with it, into one buffer for the chunk.
  const lines = new ByteWriter(data.length);
  let at = 0;
  while (at + 8 <= data.length) {
    const size = data.readUInt32BE(at);
    if (at + 8 + size > data.length) break;
    try {
      decodeRecord(reader.reset(data, at + 4, at + 4 + size), lines, out);
    } catch (err) {
      // A damaged record is skipped, as a malformed json-file line is.
      if (!(err instanceof RangeError)) throw err;
    }
    at += 8 + size;
  }
  return at;
}

const TAIL_CHUNK = 64 * 1024;

/** Walks the records backwards by their trailing lengths. */
async function tailStart(file: FileHandle, size: number, count: number): Promise<TailStart> {
  let window = Buffer.alloc(0);
  let windowStart = size;
  const header = Buffer.alloc(4);
  let offset = size;
  let found = 0;
  while (found < count && offset >= 8) {
    if (offset - 4 < windowStart) {
      windowStart = Math.max(0, offset - TAIL_CHUNK);
      window = Buffer.allocUnsafe(offset - windowStart);
      await readAt(file, window, window.length, windowStart);
    }
    const length = window.readUInt32BE(offset - 4 - windowStart);
    const start = offset - 8 - length;
    if (start < 0) break;
    // The leading length must match: a record still being written is not counted.
    if (start >= windowStart)
      header.set(window.subarray(start - windowStart, start - windowStart + 4));
    else await readAt(file, header, 4, start);
    if (header.readUInt32BE(0) !== length) break;
    found++;
    offset = start;
  }
  return { offset, found };
}

export const localFileFormat: LogFormat = { createEncoder, decode, tailStart };
