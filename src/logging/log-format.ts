import type { FileHandle } from 'node:fs/promises';

import type { LogEntry } from './log-entry.js';

/** Entries encoded for a file: the bytes and where each record ends in them. */
export interface EncodedBatch {
  data: Buffer;
  /** ends[i] is the offset just after record i (rotation only cuts between records). */
  ends: number[];
}

/** Encodes entries for one log; may keep state between batches (partial-line ids). */
export interface LogEncoder {
  encode(entries: readonly LogEntry[]): EncodedBatch;
}

export interface TailStart {
  /** Where the first of the last records starts. */
  offset: number;
  /** How many records were found (fewer than asked when the file holds fewer). */
  found: number;
}

/** A log file format: how records are written, read back, and found from the end. */
export interface LogFormat {
  /** An encoder that adds `attrs` (the driver's extra attributes) to every record. */
  createEncoder(attrs: Record<string, string>): LogEncoder;
  /**
   * Decodes the whole records at the start of `data` into `out` (malformed ones are skipped);
   * returns the offset just after the last whole record. Entries may share memory with `data`.
   */
  decode(data: Buffer, out: LogEntry[]): number;
  /** Finds the last `count` records among the first `size` bytes, reading backwards. */
  tailStart(file: FileHandle, size: number, count: number): Promise<TailStart>;
}

/** Reads `length` bytes at `position` into `buf` (fewer only at the end of the file). */
export async function readAt(
  file: FileHandle,
  buf: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
