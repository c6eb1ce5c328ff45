import { createWriteStream } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { invalidArgument, unavailable } from '../core/index.js';

/**
 * `ADD <http(s) URL>`: the file downloaded into `dir`, named after the URL's last path
 * segment, mode 0600, its mtime from Last-Modified (else the epoch, as Docker sets it).
 * Never unpacked.
 */
export async function fetchUrlSource(
  url: string,
  options: { dir: string; signal: AbortSignal },
): Promise<{ path: string; name: string; mtime: Date | undefined; size: number }> {
  const name = posix.basename(new URL(url).pathname);
  if (name === '' || name === '/' || name === '.') {
    throw invalidArgument(`cannot determine filename for source ${url}`);
  }
  let res: Response;
  try {
    res = await fetch(url, { signal: options.signal });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw unavailable(`failed to GET ${url}: ${cause ?? (err as Error).message}`, err);
  }
  if (!res.ok || !res.body) {
    throw unavailable(`failed to GET ${url} with status ${res.status}: ${res.statusText}`);
  }
  const path = join(options.dir, name);
  const out = createWriteStream(path, { mode: 0o600 });
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), out);
  const modified = res.headers.get('last-modified');
  const parsed = modified ? new Date(modified) : undefined;
  const mtime = parsed && !Number.isNaN(parsed.getTime()) ? parsed : undefined;
  await utimes(path, mtime ?? new Date(0), mtime ?? new Date(0));
  return { path, name, mtime, size: out.bytesWritten };
}
