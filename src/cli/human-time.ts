/**
 * Times as the docker CLI prints them: go-units' HumanDuration ("About an hour"), the
 * "... ago" of CREATED columns, and Go's time and duration formats.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** go-units HumanDuration of `ms` milliseconds: "Less than a second", "About a minute", "3 hours". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / HOUR) / 24 / 365)} years`;
}

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
