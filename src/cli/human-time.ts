/**
 * Times as the docker CLI prints them: go-units' HumanDuration ("About an hour"), the
 * "... ago" of CREATED columns, and Go's time and duration formats.
 */

import { humanDuration } from '../core/index.js';

export { humanDuration };

const SECOND = 1000;

/** docker's CREATED column: `2 hours ago` for a Unix time in seconds. */
export function timeAgo(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * SECOND)} ago`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The local date and time of `date`, with its UTC offset in minutes. */
function localParts(date: Date): { date: string; time: string; offset: number } {
  return {
    date: `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`,
    time: `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`,
    offset: -date.getTimezoneOffset(),
  };
}

function formatOffset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.trunc(abs / 60))}${separator}${pad2(abs % 60)}`;
}

/** The zone abbreviation Go prints (`UTC`, `CET`), or Go's numeric stand-in (`+03`). */
function zoneName(date: Date, offset: number): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value;
  if (name !== undefined && /^[A-Z]{2,5}$/.test(name)) return name;
  if (offset === 0) return 'UTC';
  const numeric = formatOffset(offset, '');
  return numeric.endsWith('00') ? numeric.slice(0, -2) : numeric;
}

/** Go's time.Time.String() of a Unix time: `2024-05-01 12:00:00 +0000 UTC` (local zone). */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * SECOND);
  const { date: day, time, offset } = localParts(date);
  return `${day} ${time} ${formatOffset(offset, '')} ${zoneName(date, offset)}`;
}

/** Go's time.RFC3339 of a Unix time in the local zone: `2024-05-01T12:00:00Z`. */
export function rfc3339(unixSeconds: number): string {
  const { date, time, offset } = localParts(new Date(unixSeconds * SECOND));
  return `${date}T${time}${offset === 0 ? 'Z' : formatOffset(offset, ':')}`;
}

/**
 * Go's `2006-01-02T15:04:05.000000000Z07:00` (docker events) of a nanosecond Unix time, in the
 * local zone.
 */
export function rfc3339FixedNanos(ns: bigint): string {
  const { date, time, offset } = localParts(new Date(Number(ns / 1_000_000n)));
  const nanos = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${date}T${time}.${nanos}${offset === 0 ? 'Z' : formatOffset(offset, ':')}`;
}

/** Go's time.Duration String() rounded to seconds: `0s`, `45s`, `1m5s`, `2h0m3s`. */
export function goDuration(ms: number): string {
  const total = Math.round(ms / SECOND);
  const sign = total < 0 ? '-' : '';
  const abs = Math.abs(total);
  const h = Math.trunc(abs / 3600);
  const m = Math.trunc((abs % 3600) / 60);
  const s = abs % 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
