import { createWriteStream } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { invalidArgument } from '../core/index.js';
import { getWithStatusError, responseBody } from './http-get.js';

/** What dockerd names a download whose name it cannot tell. */
export const UNNAMED_DOWNLOAD = '__unnamed__';

/** A file downloaded for `ADD <url>`. */
export interface UrlSource {
  /** The file, in the directory given. */
  path: string;
  /** Its name for the copy ('' when neither the URL nor the response tells one). */
  name: string;
  /** From the Last-Modified header; the file's own times are the epoch without one. */
  mtime: Date | undefined;
  size: number;
}

/**
 * `ADD http(s)://…`: downloads the URL into `dir` as dockerd does. The name is the last
 * element of the URL's (decoded) path unless that ends in `/`, then the Content-Disposition
 * filename, else '' (the file is then `__unnamed__`; the caller decides, as dockerd refuses
 * only a destination ending in `/`: `cannot determine filename for source <url>`). The file is
 * mode 0600, its times the Last-Modified date (the epoch without one); it is never unpacked.
 * Errors are the GET's (`failed to GET <url> with status 404 Not Found: …`).
 */
export async function fetchUrlSource(
  url: string,
  options: { dir: string; signal: AbortSignal },
): Promise<UrlSource> {
  const urlPath = decodedPath(url);
  const res = await getWithStatusError(url, options.signal);
  const name = downloadName(urlPath, res.headers.get('content-disposition'));
  const path = join(options.dir, name === '' ? UNNAMED_DOWNLOAD : name);
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  await pipeline(responseBody(res), out, { signal: options.signal });
  const mtime = parseHttpTime(res.headers.get('last-modified') ?? '');
  await utimes(path, mtime ?? new Date(0), mtime ?? new Date(0));
  return { path, name, mtime, size: out.bytesWritten };
}

/** The URL's path with escapes decoded (Go's url.URL.Path); a bad escape is Go's error. */
function decodedPath(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined) throw invalidArgument(`parse ${JSON.stringify(url)}: invalid URL`);
  const badEscape = /%(?![0-9A-Fa-f]{2})[^%]{0,2}/.exec(parsed.pathname);
  if (badEscape !== null) {
    throw invalidArgument(
      `parse ${JSON.stringify(url)}: invalid URL escape ${JSON.stringify(badEscape[0])}`,
    );
  }
  return decodeURIComponent(parsed.pathname);
}

/** dockerd's getFilenameForDownload. */
function downloadName(urlPath: string, disposition: string | null): string {
  const usable = (name: string) => (name === '.' || name === '..' ? '' : name);
  if (urlPath !== '' && !urlPath.endsWith('/')) return usable(posix.basename(urlPath));
  const filename = disposition === null ? undefined : dispositionFilename(disposition);
  if (filename === undefined || filename === '' || filename.endsWith('/')) return '';
  return usable(posix.basename(filename));
}

// eslint-disable-next-line no-control-regex
const TOKEN = /^[^\s()<>@,;:\\"/[\]?=\x00-\x1f\x7f]+/;

/**
 * The `filename` parameter of a Content-Disposition as Go's mime.ParseMediaType gives it
 * (RFC 2231 `filename*=utf-8''…` preferred), or undefined when the header does not parse.
 */
function dispositionFilename(header: string): string | undefined {
  const semicolon = header.indexOf(';');
  const base = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (!/^[^\s()<>@,;:\\"/[\]?=]+(?:\/[^\s()<>@,;:\\"/[\]?=]+)?$/.test(base)) return undefined;
  const params = new Map<string, string>();
  let rest = semicolon < 0 ? '' : header.slice(semicolon);
  while ((rest = rest.trimStart()) !== '') {
    const param = /^;\s*([^\s()<>@,;:\\"/[\]?=]+)\s*=\s*/.exec(rest);
    if (param === null) return rest.trim() === ';' ? filenameOf(params) : undefined;
    rest = rest.slice(param[0].length);
    const value = rest.startsWith('"') ? quotedString(rest) : TOKEN.exec(rest)?.[0];
    if (value === undefined) return undefined;
    const key = (param[1] as string).toLowerCase();
    const text = rest.startsWith('"') ? unquote(value) : value;
    if (params.has(key) && params.get(key) !== text) return undefined;
    params.set(key, text);
    rest = rest.slice(value.length);
  }
  return filenameOf(params);
}

function filenameOf(params: Map<string, string>): string | undefined {
  const extended = params.get('filename*');
  if (extended !== undefined) {
    const match = /^(us-ascii|utf-8)'[^']*'(.*)$/i.exec(extended);
    if (match !== null && !/%(?![0-9A-Fa-f]{2})/.test(match[2] as string)) {
      return decodeURIComponent(match[2] as string);
    }
  }
  return params.get('filename');
}

/** A quoted string at the start of `text`, quotes included (undefined when unterminated). */
function quotedString(text: string): string | undefined {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    else if (text[i] === '"') return text.slice(0, i + 1);
  }
  return undefined;
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const CLOCK = '(\\d{2}):(\\d{2}):(\\d{2})';
/** Go's http.ParseTime layouts: http.TimeFormat, RFC 850, ANSI C. */
const HTTP_TIMES: Array<{ re: RegExp; order: [number, number, number, number] }> = [
  { re: new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${CLOCK} GMT$`, 'i'), order: [3, 2, 1, 4] },
  {
    re: new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${CLOCK} [A-Za-z]{3,}$`, 'i'),
    order: [3, 2, 1, 4],
  },
  { re: new RegExp(`^${DAY} ${MONTH} ( ?\\d{1,2}) ${CLOCK} (\\d{4})$`, 'i'), order: [6, 1, 2, 3] },
];

/**
 * A date in one of the forms Go's http.ParseTime reads (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC
 * 850 with any zone name read as UTC, ANSI C), or undefined (dockerd then keeps no date).
 */
export function parseHttpTime(text: string): Date | undefined {
  for (const { re, order } of HTTP_TIMES) {
    const m = re.exec(text);
    if (m === null) continue;
    const [yearAt, monthAt, dayAt, clockAt] = order;
    let year = Number(m[yearAt]);
    if ((m[yearAt] as string).length === 2) year += year >= 69 ? 1900 : 2000;
    const month = MONTHS.indexOf((m[monthAt] as string).toLowerCase());
    const day = Number((m[dayAt] as string).trim());
    const [hour, minute, second] = [0, 1, 2].map((i) => Number(m[clockAt + i]));
    const date = new Date(Date.UTC(year, month, day, hour, minute, second));
    if (date.getUTCDate() !== day || (hour as number) > 23 || (minute as number) > 59) continue;
    if ((second as number) > 59) continue;
    return date;
  }
  return undefined;
}
