import { invalidArgument } from '../core/index.js';

/** Size of a tar block; headers are one block, bodies are padded to a multiple of it. */
export const BLOCK_SIZE = 512;

/** Byte offsets and lengths of the ustar header fields (POSIX.1-1988 / IEEE 1003.1). */
export const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export type FieldName = keyof typeof FIELDS;

const SPACE = 0x20;

/** Bytes of a NUL-terminated text field, decoded as UTF-8 (as GNU tar writes them). */
export function readText(block: Buffer, field: FieldName): string {
  const [start, length] = FIELDS[field];
  const end = start + length;
  const nul = block.indexOf(0, start);
  return block.toString('utf8', start, nul === -1 || nul > end ? end : nul);
}

/** Writes `value` into a text field; the caller has checked that it fits. */
export function writeText(block: Buffer, field: FieldName, value: Buffer): void {
  const [start] = FIELDS[field];
  value.copy(block, start);
}

/**
 * A numeric field: octal ASCII (padded with spaces or NULs) or, when the high bit of the first
 * byte is set, GNU base-256 (big-endian two's complement).
 */
export function readNumber(block: Buffer, field: FieldName): number {
  const [start, length] = FIELDS[field];
  const first = block[start] ?? 0;
  return first & 0x80
    ? readBase256(block, start, start + length, field)
    : readOctal(block, start, start + length, field);
}

function badNumber(field: string): Error {
  return invalidArgument(`invalid tar header: bad number in ${field} field`);
}

function isPadding(c: number): boolean {
  return c === SPACE || c === 0;
}

function readOctal(block: Buffer, start: number, end: number, field: string): number {
  let i = start;
  while (i < end && isPadding(block[i]!)) i++;
  let value = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c < 0x30 || c > 0x37) break;
    value = value * 8 + (c - 0x30);
  }
  for (; i < end; i++) if (!isPadding(block[i]!)) throw badNumber(field);
  return value;
}

function readBase256(block: Buffer, start: number, end: number, field: string): number {
  const invert = block[start]! & 0x40 ? 0xff : 0;
  let value = 0n;
  for (let i = start; i < end; i++) {
    let c = block[i]! ^ invert;
    if (i === start) c &= 0x7f;
    value = (value << 8n) | BigInt(c);
  }
  if (invert) value = -value - 1n;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw badNumber(field);
  }
  return Number(value);
}

/** Whether `value` fits the field as zero-padded octal digits followed by a NUL. */
export function fitsOctal(value: number, field: FieldName): boolean {
  const digits = FIELDS[field][1] - 1;
  return Number.isSafeInteger(value) && value >= 0 && value < 8 ** digits;
}

/** Writes `value` as zero-padded octal digits followed by a NUL; the caller checked fitsOctal. */
export function writeOctal(block: Buffer, field: FieldName, value: number): void {
  const [start, length] = FIELDS[field];
  block.write(value.toString(8).padStart(length - 1, '0'), start, length - 1, 'latin1');
  block[start + length - 1] = 0;
}

/**
 * The header checksum: the sum of all bytes with the checksum field taken as spaces. Historic
 * implementations summed signed chars, so both sums are returned; readers accept either.
 */
export function checksums(block: Buffer): { unsigned: number; signed: number } {
  const [start, length] = FIELDS.chksum;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const c = i >= start && i < start + length ? SPACE : block[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return { unsigned, signed };
}

/** The stored checksum, or -1 when the field is not an octal number (not a tar header). */
export function readChecksum(block: Buffer): number {
  const [start, length] = FIELDS.chksum;
  const text = block.toString('latin1', start, start + length).replace(/^[ \0]+|[ \0]+$/g, '');
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : -1;
}

/** Writes the checksum as six octal digits, a NUL and a space (what GNU tar and Go write). */
export function writeChecksum(block: Buffer): void {
  const [start] = FIELDS.chksum;
  const sum = checksums(block).unsigned;
  block.write(sum.toString(8).padStart(6, '0'), start, 6, 'latin1');
  block[start + 6] = 0;
  block[start + 7] = SPACE;
}

/** The padding that follows `size` bytes of data to reach a block boundary. */
export function paddingOf(size: number): number {
  const rest = size % BLOCK_SIZE;
  return rest === 0 ? 0 : BLOCK_SIZE - rest;
}
