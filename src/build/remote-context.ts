import { MoorError, invalidArgument, isMoorError } from '../core/index.js';
import { getWithStatusError, responseBody } from './http-get.js';
import { readHead } from './stream-head.js';

/** dockerd's urlutil.IsURL: an http:// or https:// address (not otherwise checked). */
export function isHttpUrl(remote: string): boolean {
  return remote.startsWith('http://') || remote.startsWith('https://');
}

/**
 * dockerd's urlutil.IsGitURL: an http(s) URL whose path ends in `.git` (optionally followed by
 * a `#ref:dir` fragment), or anything starting with `git://`, `git@` or `github.com/`.
 */
export function isGitUrl(remote: string): boolean {
  if (isHttpUrl(remote) && /\.git(?:#.+)?$/.test(remote)) return true;
  return ['git://', 'github.com/', 'git@'].some((prefix) => remote.startsWith(prefix));
}

/** A remote context: a Dockerfile alone, or an archive (possibly compressed) to extract. */
export type RemoteContext =
  { kind: 'dockerfile'; text: string } | { kind: 'archive'; body: AsyncIterable<Buffer> };

/** How much of the body dockerd reads to tell its type. */
const PREAMBLE_SIZE = 100;

/** The types dockerd accepts for a remote context (found anywhere in the type, as it does). */
const ACCEPTABLE_MIME =
  /application\/(?:(?:x-)?tar|octet-stream|(?:x-)?(?:gzip|bzip2?|xz))|text\/plain/;

/**
 * Downloads a remote context as dockerd does: the Content-Type decides (`text/plain` is a
 * Dockerfile, tar/gzip/bzip2/xz/octet-stream an archive, anything else is refused); an empty
 * or `application/octet-stream` one is replaced by the type sniffed from the first bytes.
 * Failures read `error downloading remote context <url>: …` (with the GET's kind) or
 * `error detecting content type for remote <url>: …`.
 */
export async function downloadRemoteContext(
  url: string,
  signal: AbortSignal,
): Promise<RemoteContext> {
  let res: Response;
  try {
    res = await getWithStatusError(url, signal);
  } catch (err) {
    if (!isMoorError(err)) throw err;
    throw new MoorError(err.kind, `error downloading remote context ${url}: ${err.message}`, {
      cause: err,
    });
  }
  const { head, stream } = await readHead(responseBody(res), PREAMBLE_SIZE);
  const detecting = `error detecting content type for remote ${url}`;
  if (head.length === 0) throw invalidArgument(`${detecting}: empty response`);
  const declared = res.headers.get('content-type') ?? '';
  const effective =
    declared === '' || declared === 'application/octet-stream'
      ? detectContentType(head.subarray(0, preambleLength(res)))
      : declared;
  const accepted = ACCEPTABLE_MIME.exec(effective)?.[0];
  if (accepted === undefined) {
    throw invalidArgument(`${detecting}: unsupported Content-Type ${JSON.stringify(declared)}`);
  }
  if (accepted !== 'text/plain') return { kind: 'archive', body: stream };
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { kind: 'dockerfile', text: Buffer.concat(chunks).toString('utf8') };
}

/** dockerd sniffs at most 100 bytes, fewer when the Content-Length says the body is shorter. */
function preambleLength(res: Response): number {
  const length = Number(res.headers.get('content-length') ?? '0');
  return length > 0 && length <= PREAMBLE_SIZE ? length : PREAMBLE_SIZE;
}

/** Go's http.DetectContentType signatures that are not text, by their first bytes. */
const BINARY_SIGNATURES: Array<[string, string]> = [
  ['%PDF-', 'application/pdf'],
  ['%!PS-Adobe-', 'application/postscript'],
  ['GIF87a', 'image/gif'],
  ['GIF89a', 'image/gif'],
  ['\x89PNG\x0d\x0a\x1a\x0a', 'image/png'],
  ['\xff\xd8\xff', 'image/jpeg'],
  ['BM', 'image/bmp'],
  ['\x00\x00\x01\x00', 'image/x-icon'],
  ['OggS\x00', 'application/ogg'],
  ['\x1a\x45\xdf\xa3', 'video/webm'],
  ['Rar!\x1a\x07\x00', 'application/x-rar-compressed'],
  ['PK\x03\x04', 'application/zip'],
  ['\x1f\x8b\x08', 'application/x-gzip'],
  ['\x00asm', 'application/wasm'],
  ['ID3', 'audio/mpeg'],
  ['MThd\x00\x00\x00\x06', 'audio/midi'],
  ['wOFF', 'font/woff'],
  ['wOF2', 'font/woff2'],
  ['OTTO', 'font/otf'],
];

const HTML_TAGS = [
  '<!DOCTYPE HTML',
  '<HTML',
  '<HEAD',
  '<SCRIPT',
  '<IFRAME',
  '<H1',
  '<DIV',
  '<FONT',
  '<TABLE',
  '<A',
  '<STYLE',
  '<TITLE',
  '<B',
  '<BODY',
  '<BR',
  '<P',
  '<!--',
];

/**
 * The media type Go's http.DetectContentType gives `data` (without parameters), for what
 * decides a remote context: HTML and XML, UTF BOMs (text), the binary signatures above, then
 * text/plain unless a control byte shows binary data (application/octet-stream).
 */
export function detectContentType(data: Buffer): string {
  const text = data.subarray(0, 512).toString('latin1');
  const trimmed = text.replace(/^[\t\n\f\r ]+/, '');
  for (const tag of HTML_TAGS) {
    const next = trimmed[tag.length];
    if (trimmed.slice(0, tag.length).toUpperCase() === tag && (next === ' ' || next === '>')) {
      return 'text/html';
    }
  }
  if (trimmed.startsWith('<?xml')) return 'text/xml';
  if (/^(?:\xfe\xff|\xff\xfe|\xef\xbb\xbf)/.test(text)) return 'text/plain';
  for (const [signature, type] of BINARY_SIGNATURES) {
    if (text.startsWith(signature)) return type;
  }
  const riff = /^RIFF[\s\S]{4}(WEBPVP|AVI |WAVE)/.exec(text)?.[1];
  if (riff === 'WEBPVP') return 'image/webp';
  if (riff !== undefined) return riff === 'WAVE' ? 'audio/wave' : 'video/avi';
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]/.test(trimmed)
    ? 'application/octet-stream'
    : 'text/plain';
}
