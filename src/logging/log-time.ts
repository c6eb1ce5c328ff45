/**
 * Log times. Inside moor they are RFC 3339 strings in UTC with nine fractional digits and `Z`
 * (see LogEntry.time); these helpers convert from the forms found in files and to the numbers
 * the drivers store.
 */

const NS_PER_S = 1_000_000_000n;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function num(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

/** Epoch milliseconds of a UTC civil time (Date.UTC maps years below 100 to 19xx). */
function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(Date.UTC(2000, 0, 1, h, mi, s));
  date.setUTCFullYear(y, mo - 1, d);
  return date.getTime();
}

let lastSeconds = NaN;
let lastCivil = '';

/** `YYYY-MM-DDTHH:MM:SS` of epoch seconds (the last one is remembered: logs come in runs). */
function civil(seconds: number): string {
  if (seconds !== lastSeconds) {
    lastCivil = new Date(seconds * 1000).toISOString().slice(0, 19);
    lastSeconds = seconds;
  }
  return lastCivil;
}

/**
 * True when `s` has the shape of a normalized time (separators checked, digits not): the
 * cheap test for times read back from moor's own files.
 */
export function looksNormalized(s: string): boolean {
  return (
    s.length === 30 &&
    s.charCodeAt(29) === 90 &&
    s.charCodeAt(19) === 46 &&
    s.charCodeAt(10) === 84 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  );
}

/** True when `s` starts with a well-formed `YYYY-MM-DDTHH:MM:SS` (ranges checked loosely). */
function hasDateTime(s: string): boolean {
  if (s.length < 20) return false;
  for (let i = 0; i < 19; i++) {
    const c = s.charCodeAt(i);
    const sep = i === 4 || i === 7 ? 45 : i === 10 ? 84 : i === 13 || i === 16 ? 58 : 0;
    if (sep !== 0 ? c !== sep : !isDigit(c)) return false;
  }
  const month = num(s, 5, 7);
  const day = num(s, 8, 10);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && num(s, 11, 13) < 24;
}

/**
 * Normalizes an RFC 3339 time with any number of fractional digits (0–9; more are cut) and a
 * `Z` or numeric offset to moor's form: `2026-11-22T19:57:25.2798+01:00` →
 * `2026-11-22T18:57:25.279800000Z`. Returns undefined when `raw` is not such a time.
 */
export function normalizeTime(raw: string): string | undefined {
  // The common case, already normalized: nothing to allocate.
  if (raw.length === 30 && raw.charCodeAt(29) === 90 && raw.charCodeAt(19) === 46) {
    if (hasDateTime(raw)) {
      for (let i = 20; i < 29; i++) if (!isDigit(raw.charCodeAt(i))) return undefined;
      return raw;
    }
  }
  if (!hasDateTime(raw)) return undefined;
  let i = 19;
  let frac = '';
  if (raw.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < raw.length && isDigit(raw.charCodeAt(i))) i++;
    if (i === start) return undefined;
    frac = raw.slice(start, Math.min(i, start + 9));
  }
  frac = frac.padEnd(9, '0');
  const zone = raw.slice(i);
  if (zone === 'Z' || zone === '+00:00' || zone === '-00:00') {
    return `${raw.slice(0, 19)}.${frac}Z`;
  }
  if (zone.length !== 6 || zone.charCodeAt(3) !== 58) return undefined;
  const sign = zone[0] === '+' ? 1 : zone[0] === '-' ? -1 : 0;
  if (sign === 0 || !isDigit(zone.charCodeAt(1)) || !isDigit(zone.charCodeAt(2))) return undefined;
  if (!isDigit(zone.charCodeAt(4)) || !isDigit(zone.charCodeAt(5))) return undefined;
  const offsetMs = sign * (num(zone, 1, 3) * 60 + num(zone, 4, 6)) * 60_000;
  const local = utcMillis(
    num(raw, 0, 4),
    num(raw, 5, 7),
    num(raw, 8, 10),
    num(raw, 11, 13),
    num(raw, 14, 16),
    num(raw, 17, 19),
  );
  return `${civil((local - offsetMs) / 1000)}.${frac}Z`;
}

let lastPrefix = '';
let lastPrefixSeconds = 0;

/** Whole epoch seconds of a normalized time (the last date and time is remembered). */
export function timeSeconds(time: string): number {
  if (lastPrefix === '' || !time.startsWith(lastPrefix)) {
    lastPrefix = time.slice(0, 19);
    lastPrefixSeconds = Math.floor(Date.parse(`${lastPrefix}Z`) / 1000);
  }
  return lastPrefixSeconds;
}

/** The nanoseconds within the second of a normalized time. */
export function timeNanos(time: string): number {
  let n = 0;
  for (let i = 20; i < 29; i++) n = n * 10 + time.charCodeAt(i) - 48;
  return n;
}

/** Nanoseconds since the epoch of a normalized time. */
export function timeToUnixNanos(time: string): bigint {
  return BigInt(timeSeconds(time)) * NS_PER_S + BigInt(timeNanos(time));
}

/** The normalized time of nanoseconds since the epoch. */
export function unixNanosToTime(ns: bigint): string {
  let seconds = ns / NS_PER_S;
  let nanos = ns % NS_PER_S;
  if (nanos < 0n) {
    nanos += NS_PER_S;
    seconds -= 1n;
  }
  return secondsNanosToTime(Number(seconds), Number(nanos));
}

/** The normalized time of whole epoch seconds and nanoseconds (0 ≤ nanos < 1e9). */
export function secondsNanosToTime(seconds: number, nanos: number): string {
  return `${civil(seconds)}.${String(nanos).padStart(9, '0')}Z`;
}

/**
 * The normalized time of Unix seconds with a fraction (the API's `since`/`until`). The fraction
 * is rounded to the microsecond: a double holds no more at today's epoch values.
 */
export function secondsToTime(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.min(999_999, Math.round((seconds - whole) * 1e6));
  return `${civil(whole)}.${String(micros).padStart(6, '0')}000Z`;
}

/**
 * Go's time.RFC3339Nano form of a normalized time, as dockerd writes it into json-file logs:
 * trailing zeros of the fraction are dropped, and the dot too when nothing is left.
 */
export function goRfc3339Nano(time: string): string {
  return `${time.slice(0, goRfc3339NanoEnd(time))}Z`;
}

/** How much of a normalized time Go's RFC3339Nano keeps before the `Z`. */
export function goRfc3339NanoEnd(time: string): number {
  let end = 29;
  while (end > 20 && time.charCodeAt(end - 1) === 48) end--;
  return end === 20 ? 19 : end;
}

/**
 * The normalized time of a `since`/`until` value of the Engine API: Unix seconds with an
 * optional decimal fraction (`1795377445.279812612`, exact to the nanosecond, as dockerd
 * reads it), or an RFC 3339 time. Undefined when it is neither.
 */
export function apiTimestampToTime(raw: string): string | undefined {
  const match = /^(-?\d+)(?:\.(\d+))?$/.exec(raw);
  if (match === null) return normalizeTime(raw);
  const nanos = BigInt((match[2] ?? '').slice(0, 9).padEnd(9, '0'));
  return unixNanosToTime(BigInt(match[1] as string) * NS_PER_S + nanos);
}
