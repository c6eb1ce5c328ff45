/**
 * `--since` / `--until` as docker's client sends them (moby's timetypes.GetTimestamp): a Go
 * duration is taken back from now and sent as Unix seconds; RFC 3339 times and dates (in the
 * local zone unless they name one) as `seconds.nanoseconds`; a Unix timestamp as given. Errors
 * read as Go's time.Parse words them (`parsing time "x" as "2006-01-02": cannot parse ...`).
 */
import { isMoorError } from '../core/index.js';
import { parseGoDuration } from '../oci/index.js';

/** A Go layout as its elements: std chunks (`2006`, `01`, ...) and one-character literals. */
type Layout = readonly string[];

const DATE = ['2006', '-', '01', '-', '02'];
const HOUR = [...DATE, 'T', '15'];
const MINUTE = [...HOUR, ':', '04'];
const SECOND = [...MINUTE, ':', '05'];
const NANO = [...SECOND, '.999999999'];
const ZONE = 'Z07:00';

/** The layout GetTimestamp picks by the text's shape. */
function chooseLayout(value: string, local: boolean): Layout {
  const zoned = (layout: Layout) => (local ? layout : [...layout, ZONE]);
  if (value.includes('.')) return zoned(NANO);
  if (value.includes('T')) {
    let colons = value.split(':').length - 1;
    if (!local && !/[zZ]/.test(value) && colons > 0) colons--;
    return zoned(colons === 0 ? HOUR : colons === 1 ? MINUTE : SECOND);
  }
  return zoned(DATE);
}

/** Go's time.ParseError. */
class TimeParseError extends Error {
  constructor(
    layout: Layout,
    value: string,
    detail: { elem?: string; rest: string; message?: string },
  ) {
    const quote = JSON.stringify;
    super(
      detail.message !== undefined
        ? `parsing time ${quote(value)}${detail.message}`
        : `parsing time ${quote(value)} as ${quote(layout.join(''))}: cannot parse ${quote(detail.rest)} as ${quote(detail.elem ?? '')}`,
    );
    this.name = 'TimeParseError';
  }
}

const isDigit = (text: string, i: number) => i < text.length && text[i]! >= '0' && text[i]! <= '9';

/** Go's getnum: one or two digits (exactly two when `fixed`). */
function getnum(text: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(text, 0)) return undefined;
  if (!isDigit(text, 1)) return fixed ? undefined : [Number(text[0]), text.slice(1)];
  return [Number(text.slice(0, 2)), text.slice(2)];
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** Seconds east of UTC; undefined: the layout's default zone. */
  offset?: number;
}

/** Go's parseNanoseconds over `text[0..n)` (a separator, then digits; at most 9 count). */
function nanoseconds(text: string, n: number): number {
  const digits = text.slice(1, Math.min(n, 10));
  return Number(digits) * 10 ** (9 - digits.length);
}

type Step = { rest: string; range?: string } | undefined;

/** One std element of the layout; undefined when the text does not fit it. */
function parseElement(elem: string, text: string, next: string | undefined, f: Fields): Step {
  const num = (fixed: boolean, set: (n: number) => string | undefined): Step => {
    const got = getnum(text, fixed);
    if (!got) return undefined;
    const range = set(got[0]);
    return { rest: got[1], ...(range ? { range } : {}) };
  };
  switch (elem) {
    case '2006':
      if (text.length < 4 || !/^\d{4}/.test(text)) return undefined;
      f.year = Number(text.slice(0, 4));
      return { rest: text.slice(4) };
    case '01':
      return num(true, (n) => ((f.month = n) < 1 || n > 12 ? 'month' : undefined));
    case '02':
      return num(true, (n) => void (f.day = n));
    case '15':
      return num(false, (n) => ((f.hour = n) >= 24 ? 'hour' : undefined));
    case '04':
      return num(true, (n) => ((f.minute = n) >= 60 ? 'minute' : undefined));
    case '05': {
      const step = num(true, (n) => ((f.second = n) >= 60 ? 'second' : undefined));
      if (!step || step.range) return step;
      // A fraction the layout does not ask for is still taken (Go's special case).
      const rest = step.rest;
      if (next !== '.999999999' && /^[.,]\d/.test(rest)) {
        const n = /^[.,]\d+/.exec(rest)![0].length;
        f.nanos = nanoseconds(rest, n);
        return { rest: rest.slice(n) };
      }
      return step;
    }
    case '.999999999': {
      const m = /^[.,]\d+/.exec(text);
      if (!m) return { rest: text };
      f.nanos = nanoseconds(text, m[0].length);
      return { rest: text.slice(m[0].length) };
    }
    default:
      return parseZone(text, f);
  }
}

/** `Z07:00`: `Z`, or `±hh:mm`. */
function parseZone(text: string, f: Fields): Step {
  if (text.startsWith('Z')) {
    f.offset = 0;
    return { rest: text.slice(1) };
  }
  if (text.length < 6 || text[3] !== ':') return undefined;
  const hh = getnum(text.slice(1, 3), true);
  const mm = getnum(text.slice(4, 6), true);
  if (!hh || !mm || (text[0] !== '+' && text[0] !== '-')) return undefined;
  const range = hh[0] > 24 ? 'time zone offset hour' : mm[0] > 60 ? 'time zone offset minute' : '';
  f.offset = (text[0] === '-' ? -1 : 1) * (hh[0] * 3600 + mm[0] * 60);
  return { rest: text.slice(6), ...(range ? { range } : {}) };
}

/** Seconds since the epoch of a UTC civil time (years below 100 too, unlike Date.UTC). */
function utcSeconds(f: Fields): number {
  const date = new Date(0);
  date.setUTCFullYear(f.year, f.month - 1, f.day);
  date.setUTCHours(f.hour, f.minute, f.second);
  return date.getTime() / 1000;
}

function daysIn(month: number, year: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** Go's time.Parse for the layouts above; `zoneOffset` (seconds east) when none is given. */
function parseTime(layout: Layout, value: string, zoneOffset: number): string {
  const f: Fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0 };
  let rest = value;
  for (let i = 0; i < layout.length; i++) {
    const elem = layout[i]!;
    if (elem.length === 1) {
      if (!rest.startsWith(elem)) throw new TimeParseError(layout, value, { elem, rest });
      rest = rest.slice(1);
      continue;
    }
    const step = parseElement(elem, rest, layout[i + 1], f);
    if (step?.range) {
      throw new TimeParseError(layout, value, { rest, message: `: ${step.range} out of range` });
    }
    if (!step) throw new TimeParseError(layout, value, { elem, rest });
    rest = step.rest;
  }
  if (rest !== '') {
    const message = `: extra text: ${JSON.stringify(rest)}`;
    throw new TimeParseError(layout, value, { rest, message });
  }
  if (f.day < 1 || f.day > daysIn(f.month, f.year)) {
    throw new TimeParseError(layout, value, { rest, message: ': day out of range' });
  }
  const seconds = utcSeconds(f) - (f.offset ?? zoneOffset);
  return `${seconds}.${String(f.nanos).padStart(9, '0')}`;
}

/** The local zone's offset at `now`, in seconds east of UTC (Go's time.Now().Zone()). */
export function localZoneOffset(now: number): number {
  return -new Date(now).getTimezoneOffset() * 60;
}

/**
 * The `since`/`until` query value for a flag value, relative to `now` (ms); times without a
 * zone are in `zoneOffset` (seconds east, the local zone's offset now, as docker's
 * FixedZone(reference.Zone())). Throws Go's parse error for text that looks like a date, else
 * `failed to parse value as time or duration: "x"`.
 */
export function logTimestamp(
  value: string,
  now = Date.now(),
  zoneOffset = localZoneOffset(now),
): string {
  if (value !== '0') {
    try {
      const ns = parseGoDuration(value);
      return String(Math.floor((now - ns / 1e6) / 1000));
    } catch (err) {
      // Not a duration: a time or a timestamp.
      if (!isMoorError(err, 'InvalidArgument')) throw err;
    }
  }
  const local = !(/[zZ+]/.test(value) || value.split('-').length - 1 === 3);
  try {
    return parseTime(chooseLayout(value, local), value, local ? zoneOffset : 0);
  } catch (err) {
    if (!(err instanceof TimeParseError) || value.includes('-')) throw err;
  }
  if (!/^[+-]?\d+(\.[+-]?\d+)?$/.test(value)) {
    throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  }
  return value;
}
