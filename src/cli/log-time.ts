/**
 * `--since` / `--until` as docker's client sends them (moby's timetypes.GetTimestamp): a Go
 * duration is taken back from now and sent as Unix seconds; RFC 3339 times and dates (in the
 * local zone unless they name one) as `seconds.nanoseconds`; a Unix timestamp as given.
 */
import { parseGoDuration } from '../oci/index.js';

const TIMESTAMP = /^(\d+)(?:\.(\d+))?$/;

interface Parts {
  date: string;
  hour?: string;
  minute?: string;
  second?: string;
  fraction?: string;
  zone?: string;
}

/** The Go layouts GetTimestamp picks by the text's shape, as one pattern per shape. */
function parseParts(value: string, local: boolean): Parts | undefined {
  const date = '(\\d{4}-\\d{2}-\\d{2})';
  const zone = local ? '()' : '(Z|z|[+-]\\d{2}:\\d{2})';
  if (value.includes('.')) {
    const m = new RegExp(`^${date}T(\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{1,9})${zone}$`).exec(value);
    if (!m) return undefined;
    return { date: m[1] ?? '', hour: m[2], minute: m[3], second: m[4], fraction: m[5], zone: m[6] };
  }
  if (value.includes('T')) {
    let colons = value.split(':').length - 1;
    if (!local && !/[zZ]/.test(value) && colons > 0) colons--;
    const time = ['(\\d{2})()()', '(\\d{2}):(\\d{2})()', '(\\d{2}):(\\d{2}):(\\d{2})'][
      Math.min(colons, 2)
    ];
    const m = new RegExp(`^${date}T${time}${zone}$`).exec(value);
    return m ? { date: m[1] ?? '', hour: m[2], minute: m[3], second: m[4], zone: m[5] } : undefined;
  }
  const m = new RegExp(`^${date}${zone}$`).exec(value);
  return m ? { date: m[1] ?? '', zone: m[2] } : undefined;
}

function epochSeconds(p: Parts, local: boolean): number {
  const [y, mo, d] = p.date.split('-').map(Number) as [number, number, number];
  const h = Number(p.hour || 0);
  const mi = Number(p.minute || 0);
  const s = Number(p.second || 0);
  if (local) return Math.floor(new Date(y, mo - 1, d, h, mi, s).getTime() / 1000);
  let offset = 0;
  if (p.zone && p.zone !== 'Z' && p.zone !== 'z') {
    const sign = p.zone.startsWith('-') ? -1 : 1;
    const [zh, zm] = p.zone.slice(1).split(':').map(Number) as [number, number];
    offset = sign * (zh * 3600 + zm * 60);
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offset;
}

/**
 * The `since`/`until` query value for a flag value, relative to `now` (ms). Throws
 * `failed to parse value as time or duration: "x"` for what is none of them.
 */
export function logTimestamp(value: string, now = Date.now()): string {
  if (value !== '0') {
    try {
      const ns = parseGoDuration(value);
      return String(Math.floor((now - ns / 1e6) / 1000));
    } catch {
      // Not a duration: a time or a timestamp.
    }
  }
  const local = !(/[zZ+]/.test(value) || value.split('-').length - 1 === 3);
  const parts = parseParts(value, local);
  if (parts) {
    const nanos = (parts.fraction ?? '').padEnd(9, '0');
    return `${epochSeconds(parts, local)}.${nanos}`;
  }
  if (value.includes('-')) throw new Error(`parsing time ${JSON.stringify(value)}: invalid time`);
  if (!TIMESTAMP.test(value)) {
    throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  }
  return value;
}
