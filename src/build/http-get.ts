import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import {
  type MoorError,
  forbidden,
  internal,
  invalidArgument,
  notFound,
  unauthorized,
  unavailable,
} from '../core/index.js';

/** An error body longer than this is cut in the message. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * GET of a build's remote (a context, an `ADD` source), as dockerd's GetWithStatusError:
 * redirects are followed; a status of 400 or more fails with `failed to GET <url> with status
 * 404 Not Found: <body>` and the kind of the status (404 NotFound, 400 InvalidArgument, 401
 * Unauthorized, 403 Forbidden, others Internal); an unreachable host fails with Go's words
 * (`Get "<url>": dial tcp 127.0.0.1:1: connect: connection refused`), NotFound when its name
 * does not resolve. Aborting `signal` rejects with its AbortError.
 */
export async function getWithStatusError(url: string, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    if (signal.aborted) throw err;
    throw requestError(url, err);
  }
  if (res.status < 400) return res;
  const status = [res.status, res.statusText].filter((part) => part !== '').join(' ');
  const message = `failed to GET ${url} with status ${status}`;
  let body: string;
  try {
    body = (await readLimited(res, MAX_ERROR_BODY)).toString('utf8').trim();
  } catch (err) {
    if (signal.aborted) throw err;
    throw internal(`${message}: error reading body`, err);
  }
  throw statusError(res.status, `${message}: ${body}`);
}

/** The body of a response as a Node stream of Buffers (empty when it has none). */
export function responseBody(res: Response): AsyncIterable<Buffer> {
  if (res.body === null) return Readable.from([]);
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}

function statusError(status: number, message: string): MoorError {
  switch (status) {
    case 404:
      return notFound(message);
    case 400:
      return invalidArgument(message);
    case 401:
      return unauthorized(message);
    case 403:
      return forbidden(message);
    default:
      return internal(message);
  }
}

async function readLimited(res: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of responseBody(res)) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

interface NetCause {
  code?: string;
  message?: string;
  address?: string;
  port?: number;
  hostname?: string;
  errors?: NetCause[];
}

/** fetch's failure in the words of Go's http.Get (a url.Error around a net.OpError). */
function requestError(url: string, err: unknown): MoorError {
  const outer = err as { cause?: NetCause; message?: string };
  const cause = outer.cause?.errors?.[0] ?? outer.cause;
  const prefix = `Get ${JSON.stringify(url)}`;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return internal(
        `${prefix}: dial tcp ${cause.address ?? '?'}:${cause.port ?? '?'}: connect: connection refused`,
        err,
      );
    case 'ERR_INVALID_URL':
      return invalidArgument(`parse ${JSON.stringify(url)}: invalid URL`, err);
    case 'ENOTFOUND':
      return notFound(`${prefix}: dial tcp: lookup ${cause.hostname ?? '?'}: no such host`, err);
    default:
      return unavailable(`${prefix}: ${cause?.message ?? outer.message ?? String(err)}`, err);
  }
}
