/**
 * A growable byte buffer for encoders: many small appends, one Buffer at the end. Bytes once
 * written are never moved in place, so subarrays taken of `bytes()` stay valid after growth.
 */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(Math.max(16, capacity));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const needed = this.length + n;
    if (needed <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** Appends `src[start, end)`. */
  bytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    if (n < 64) {
      const buf = this.buf;
      let at = this.length;
      for (let i = start; i < end; i++) buf[at++] = src[i] as number;
    } else {
      src.copy(this.buf, this.length, start, end);
    }
    this.length += n;
  }

  /** Appends a string of code points below 256 (ASCII text, mostly). */
  latin1(s: string, start = 0, end = s.length): void {
    const n = end - start;
    this.reserve(n);
    if (n < 64) {
      const buf = this.buf;
      let at = this.length;
      for (let i = start; i < end; i++) buf[at++] = s.charCodeAt(i);
      this.length = at;
    } else this.length += this.buf.write(s.slice(start, end), this.length, 'latin1');
  }

  /**
   * Room for `n` more bytes, written directly: returns the buffer, to be written from
   * `length` on; the caller then advances `length` past what it wrote.
   */
  room(n: number): Buffer {
    this.reserve(n);
    return this.buf;
  }

  /** Appends an unsigned protobuf varint (up to 2^53). */
  varint(value: number): void {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** Appends a varint of a 64-bit integer (two's complement for negatives, as protobuf does). */
  varint64(value: bigint): void {
    this.reserve(10);
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
  }

  /** Overwrites 4 bytes at `at` (a length written before its content is known). */
  setUint32BE(at: number, value: number): void {
    this.buf.writeUInt32BE(value, at);
  }

  /** Bytes `[start, end)` of those written (shares memory with the writer). */
  slice(start: number, end = this.length): Buffer {
    return this.buf.subarray(start, end);
  }

  /** The bytes written so far (shares memory with the writer). */
  bytesWritten(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
