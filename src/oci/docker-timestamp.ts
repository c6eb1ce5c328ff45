import { invalidArgument, isMoorError } from '../core/index.js';
import { parseGoDuration } from './go-duration.js';

/*
 * Times as Docker's filters take them (`until=24h`, `until=2026-01-02T15:04`, `until=1700000000`)
 * and the RFC 3339 times moor stores, both as nanoseconds since the epoch (bigint: stored times
 * have nanoseconds, which a double cannot hold).
 */

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** Nanoseconds since the epoch of an RFC 3339 time (`2026-11-22T20:26:07.123456789Z`). */
export function rfc3339Nanos(time: string): bigint {
  const match = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(time);
  const ms = Date.parse(match ? `${match[1]}${match[3]}` : time);
  if (Number.isNaN(ms)) throw invalidArgument(`invalid time ${JSON.stringify(time)}`);
  const fraction = (match?.[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(ms) * NS_PER_MS + BigInt(fraction);
}

const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A date or date-time without a zone is in the daemon's zone at `now`, as in Docker. */
function parseDate(value: string, now: number): bigint {
  const m = DATE.exec(value);
  const fail = (why: string) => invalidArgument(`parsing time ${JSON.stringify(value)}: ${why}`);
  if (!m) throw fail('not a date or time Docker understands');
  const num = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [num(1), num(2), num(3), num(4), num(5), num(6)];
  const fraction = m[7] ?? '';
  const zone = m[8];
  if (month < 1 || month > 12) throw fail('month out of range');
  if (day < 1 || day > daysIn(year, month)) throw fail('day out of range');
  if (hour > 23) throw fail('hour out of range');
  if (minute > 59) throw fail('minute out of range');
  if (second > 59) throw fail('second out of range');
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let offsetMs: number;
  if (zone === undefined) offsetMs = -new Date(now).getTimezoneOffset() * 60_000;
  else if (zone === 'Z') offsetMs = 0;
  else {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const nanos = BigInt(fraction.padEnd(9, '0'));
  return BigInt(wall - offsetMs) * NS_PER_MS + nanos;
}

/** Docker's `seconds[.fraction]` Unix timestamps; undefined when `value` is not one. */
function parseUnix(value: string): bigint | undefined {
  const m = /^\+?(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(m[1] as string) * NS_PER_S + BigInt(fraction);
}

/**
 * Docker's filter times (its GetTimestamp then ParseTimestamps): a Go duration before `now`
 * (`10m`, `1h30m`; whole seconds, as Docker keeps), an RFC 3339 date or date-time (with or
 * without zone, seconds or fraction), or Unix seconds with an optional fraction. Returns
 * nanoseconds since the epoch; throws InvalidArgument with Docker's message for other text.
 */
export function parseFilterTime(value: string, now = Date.now()): bigint {
  if (value !== '0') {
    try {
      const ns = parseGoDuration(value);
      const seconds = BigInt(Math.floor((now * 1e6 - ns) / 1e9));
      return seconds * NS_PER_S;
    } catch (err) {
      if (!isMoorError(err, 'InvalidArgument')) throw err;
    }
  }
  // Every date layout has dashes; without one, only a Unix timestamp is left.
  if (value.includes('-')) return parseDate(value, now);
  const unix = parseUnix(value);
  if (unix === undefined) {
    throw invalidArgument(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  }
  return unix;
}

/** RFC 3339 with nanoseconds from a bigint nanosecond timestamp. */
export function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  // Go's RFC3339Nano, as dockerd formats times: no trailing zeros (no fraction at all for 0).
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, frac === '' ? 'Z' : `.${frac}Z`);
}

export function nowRfc3339Nano(): string {
  const ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  return rfc3339Nano(ns);
}
