import { ByteWriter } from './byte-writer.js';

/**
 * JSON string literals byte for byte as Go writes them, and their decoding.
 *
 * Both of Go's escapers turn `<`, `>`, `&` into \u003c \u003e \u0026, U+2028/U+2029 into
 * \u2028/\u2029, each byte of invalid UTF-8 into \ufffd, `"` and `\` into \" and \\, and other
 * control characters into \u00XX. They differ in the short escapes:
 * - `docker-log`: dockerd's json-file writer (jsonlog.JSONLogs) has only \n and \r, so a tab
 *   is written \u0009;
 * - `encoding-json`: Go's encoding/json (used for json-file `attrs`) also has \t, \b and \f.
 */
export type JsonEscapeStyle = 'docker-log' | 'encoding-json';

const HEX = '0123456789abcdef';

/** Per ASCII byte: '' when written as is, else its escape. */
function escapeTable(style: JsonEscapeStyle): string[] {
  const table: string[] = [];
  for (let b = 0; b < 128; b++) {
    let esc = '';
    if (b < 0x20 || b === 0x3c || b === 0x3e || b === 0x26) {
      esc = `\\u00${HEX[b >> 4]}${HEX[b & 15]}`;
    }
    if (b === 0x22 || b === 0x5c) esc = `\\${String.fromCharCode(b)}`;
    if (b === 0x0a) esc = '\\n';
    if (b === 0x0d) esc = '\\r';
    if (style === 'encoding-json') {
      if (b === 0x09) esc = '\\t';
      if (b === 0x08) esc = '\\b';
      if (b === 0x0c) esc = '\\f';
    }
    table.push(esc);
  }
  return table;
}

const TABLES: Record<JsonEscapeStyle, string[]> = {
  'docker-log': escapeTable('docker-log'),
  'encoding-json': escapeTable('encoding-json'),
};

function isCont(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

/**
 * The length of the valid UTF-8 sequence at `s[i]` (a byte ≥ 0x80), or 0 when invalid, with
 * the rules of Go's utf8.DecodeRune: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
function runeLength(s: Buffer, i: number, end: number): number {
  const b0 = s[i] as number;
  if (b0 < 0xc2) return 0;
  if (b0 < 0xe0) return i + 1 < end && isCont(s[i + 1]) ? 2 : 0;
  if (b0 < 0xf0) {
    if (i + 2 >= end) return 0;
    const b1 = s[i + 1] as number;
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return b1 >= lo && b1 <= hi && isCont(s[i + 2]) ? 3 : 0;
  }
  if (b0 < 0xf5) {
    if (i + 3 >= end) return 0;
    const b1 = s[i + 1] as number;
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return b1 >= lo && b1 <= hi && isCont(s[i + 2]) && isCont(s[i + 3]) ? 4 : 0;
  }
  return 0;
}

/** Writes an escape (ASCII) at `at`; returns the position after it. */
function put(out: Buffer, at: number, esc: string): number {
  let p = at;
  for (let k = 0; k < esc.length; k++) out[p++] = esc.charCodeAt(k);
  return p;
}

/**
 * Appends `src[start, end)` as a quoted JSON string, escaped as Go does (see JsonEscapeStyle).
 * Scans and copies in one pass, straight into the writer's buffer.
 */
export function writeGoJsonString(
  w: ByteWriter,
  src: Buffer,
  style: JsonEscapeStyle = 'docker-log',
  start = 0,
  end = src.length,
): void {
  const table = TABLES[style];
  // No byte takes more than six (\u00XX, \ufffd), plus the quotes.
  const out = w.room((end - start) * 6 + 2);
  let p = w.length;
  out[p++] = 0x22;
  let i = start;
  while (i < end) {
    const b = src[i] as number;
    if (b < 0x80) {
      const esc = table[b] as string;
      if (esc === '') out[p++] = b;
      else p = put(out, p, esc);
      i++;
      continue;
    }
    const n = runeLength(src, i, end);
    if (n === 0) {
      p = put(out, p, '\\ufffd');
      i++;
    } else if (
      n === 3 &&
      b === 0xe2 &&
      src[i + 1] === 0x80 &&
      (src[i + 2] === 0xa8 || src[i + 2] === 0xa9)
    ) {
      p = put(out, p, src[i + 2] === 0xa8 ? '\\u2028' : '\\u2029');
      i += 3;
    } else {
      for (const stop = i + n; i < stop; i++) out[p++] = src[i] as number;
    }
  }
  out[p++] = 0x22;
  w.length = p;
}

/** A quoted JSON string of `bytes`, escaped as Go does. */
export function goJsonString(bytes: Buffer, style: JsonEscapeStyle = 'docker-log'): string {
  const w = new ByteWriter(bytes.length + 16);
  writeGoJsonString(w, bytes, style);
  return w.bytesWritten().toString('utf8');
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function hex4(s: Buffer, at: number): number {
  const a = hexValue(s[at]);
  const b = hexValue(s[at + 1]);
  const c = hexValue(s[at + 2]);
  const d = hexValue(s[at + 3]);
  return a < 0 || b < 0 || c < 0 || d < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/** Writes a code point as UTF-8 at `at`; returns the position after it. */
function putCodePoint(out: Buffer, at: number, cp: number): number {
  let p = at;
  if (cp < 0x80) out[p++] = cp;
  else if (cp < 0x800) {
    out[p++] = 0xc0 | (cp >> 6);
    out[p++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    out[p++] = 0xe0 | (cp >> 12);
    out[p++] = 0x80 | ((cp >> 6) & 0x3f);
    out[p++] = 0x80 | (cp & 0x3f);
  } else {
    out[p++] = 0xf0 | (cp >> 18);
    out[p++] = 0x80 | ((cp >> 12) & 0x3f);
    out[p++] = 0x80 | ((cp >> 6) & 0x3f);
    out[p++] = 0x80 | (cp & 0x3f);
  }
  return p;
}

const SIMPLE_ESCAPES: Record<number, number> = {
  0x22: 0x22,
  0x5c: 0x5c,
  0x2f: 0x2f,
  0x62: 0x08,
  0x66: 0x0c,
  0x6e: 0x0a,
  0x72: 0x0d,
  0x74: 0x09,
};

/**
 * Appends the bytes a JSON string's content `src[start, end)` (between its quotes) stands for.
 * A lone surrogate becomes U+FFFD, as in Go. Returns false on a malformed escape.
 */
export function unescapeJsonString(
  w: ByteWriter,
  src: Buffer,
  start: number,
  end: number,
): boolean {
  // The bytes never take more room than their escaped form.
  const out = w.room(end - start);
  let p = w.length;
  let i = start;
  while (i < end) {
    const b = src[i] as number;
    if (b !== 0x5c) {
      out[p++] = b;
      i++;
      continue;
    }
    const c = src[i + 1] as number;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      out[p++] = simple;
      i += 2;
      continue;
    }
    if (c !== 0x75 || i + 6 > end) return false;
    let cp = hex4(src, i + 2);
    if (cp < 0) return false;
    i += 6;
    if (cp >= 0xd800 && cp < 0xdc00) {
      const low = i + 6 <= end && src[i] === 0x5c && src[i + 1] === 0x75 ? hex4(src, i + 2) : -1;
      if (low >= 0xdc00 && low < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      } else cp = 0xfffd;
    } else if (cp >= 0xdc00 && cp < 0xe000) cp = 0xfffd;
    p = putCodePoint(out, p, cp);
  }
  w.length = p;
  return true;
}
