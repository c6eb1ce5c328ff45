import type { ByteWriter } from './byte-writer.js';
import { secondsNanosToTime } from './log-time.js';

/**
 * The bits of the protobuf wire format Docker's local log records need. Times (`time_nano`,
 * an int64) go to and from (seconds, nanoseconds) through 16-bit limbs: exact in doubles, no
 * BigInt on the common path (times after 1970).
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const LIMB = 65536;
const BILLION = 1e9;

/** Appends the varint of the int64 seconds * 1e9 + nanos. */
export function writeNanosVarint(w: ByteWriter, seconds: number, nanos: number): void {
  if (seconds < 0 || seconds >= 2 ** 48) {
    w.varint64(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
    return;
  }
  // The product as four 16-bit limbs, least significant first.
  let c = (seconds % LIMB) * BILLION + nanos;
  const l0 = c % LIMB;
  c = Math.floor(c / LIMB) + (Math.floor(seconds / LIMB) % LIMB) * BILLION;
  const l1 = c % LIMB;
  c = Math.floor(c / LIMB) + Math.floor(seconds / LIMB / LIMB) * BILLION;
  const l2 = c % LIMB;
  const l3 = Math.floor(c / LIMB);
  // Seven bits at a time from the (hi, lo) 32-bit halves.
  let lo = l1 * LIMB + l0;
  let hi = l3 * LIMB + l2;
  while (hi > 0 || lo >= 0x80) {
    w.byte((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  w.byte(lo);
}

/**
 * A cursor over a protobuf message. Reused across records (reset) so that decoding a record
 * allocates nothing but its results; a length-delimited field's bounds are left in
 * fieldStart/fieldEnd. Throws RangeError on truncated input.
 */
export class ProtoReader {
  buf: Buffer = Buffer.alloc(0);
  at = 0;
  end = 0;
  fieldStart = 0;
  fieldEnd = 0;

  reset(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.at = start;
    this.end = end;
    return this;
  }

  /** A varint that fits a double exactly (tags, lengths, booleans, small ints). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.end) throw new RangeError('truncated varint');
      const b = this.buf[this.at++] as number;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  }

  /** A varint int64 of nanoseconds since the epoch, as a normalized time. */
  time(): string {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.end) throw new RangeError('truncated varint');
      const b = this.buf[this.at++] as number;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) break;
    }
    lo >>>= 0;
    hi >>>= 0;
    if (hi >= 0x80000000) return negativeTime(hi, lo);
    // Long division of the four 16-bit limbs by 1e9.
    let cur = hi >>> 16;
    let q = Math.floor(cur / BILLION);
    let r = cur % BILLION;
    cur = r * LIMB + (hi & 0xffff);
    q = q * LIMB + Math.floor(cur / BILLION);
    r = cur % BILLION;
    cur = r * LIMB + (lo >>> 16);
    q = q * LIMB + Math.floor(cur / BILLION);
    r = cur % BILLION;
    cur = r * LIMB + (lo & 0xffff);
    q = q * LIMB + Math.floor(cur / BILLION);
    r = cur % BILLION;
    return secondsNanosToTime(q, r);
  }

  /** Reads a length-delimited field into fieldStart/fieldEnd. */
  bytes(): void {
    const n = this.varint();
    if (this.at + n > this.end) throw new RangeError('truncated field');
    this.fieldStart = this.at;
    this.at += n;
    this.fieldEnd = this.at;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) {
      while ((this.buf[this.at++] ?? 0) >= 0x80) if (this.at >= this.end) break;
    } else if (wire === WIRE_FIXED64) this.at += 8;
    else if (wire === WIRE_BYTES) this.bytes();
    else if (wire === WIRE_FIXED32) this.at += 4;
    else throw new RangeError(`unsupported wire type ${wire}`);
    if (this.at > this.end) throw new RangeError('truncated field');
  }
}

/** Times before 1970 (a negative int64). */
function negativeTime(hi: number, lo: number): string {
  const ns = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  let seconds = ns / 1_000_000_000n;
  let nanos = ns % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  return secondsNanosToTime(Number(seconds), Number(nanos));
}
