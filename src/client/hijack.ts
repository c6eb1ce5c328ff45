/**
 * Docker's hijacked requests (attach, exec start): the request goes out with
 * `Connection: Upgrade` and `Upgrade: tcp`; the daemon answers `101 UPGRADED` and from then on
 * the connection carries raw bytes both ways — the process's stdin one way, its output (framed
 * by stdcopy without a TTY) the other. Older daemons answer a plain 200 with a stream content
 * type; that is accepted too.
 */
import type { Socket } from 'node:net';

import type { ErrorResponse } from '../api-types/index.js';
import { MOOR_VERSION } from '../core/index.js';
import { ApiError, type ApiClient } from './api-client.js';

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

export interface HijackOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON (exec start's `{"Detach":false,"Tty":false}`). */
  body?: unknown;
}

/** A connection taken over after the HTTP answer. */
export interface HijackedConnection {
  /** The raw duplex; read it through `output`, which starts with the bytes already read. */
  readonly socket: Socket;
  /** Bytes the daemon sent after its headers, read together with them. */
  readonly head: Buffer;
  readonly contentType: string;
  /** The daemon said the output is stdcopy-framed (it does so when there is no TTY). */
  readonly multiplexed: boolean;
  /** Everything the daemon sends: `head`, then the socket until it ends. Read once. */
  output(): AsyncIterable<Buffer>;
  /** Half-closes: the daemon sees stdin end, output keeps coming (docker's CloseWrite). */
  closeWrite(): void;
  close(): void;
}

interface ResponseHead {
  status: number;
  headers: Map<string, string>;
  rest: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 64 * 1024;

function parseHead(text: string, rest: Buffer): ResponseHead {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`malformed HTTP response ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), headers, rest };
}

/** Reads the response head; the socket is left paused with nothing else consumed. */
function readHead(socket: Socket): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onEnd = () => onError(new Error('the daemon closed the connection before answering'));
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(HEADER_END);
      if (end === -1) {
        if (buffered.length > MAX_HEADER_BYTES) onError(new Error('response headers too large'));
        return;
      }
      socket.pause();
      cleanup();
      try {
        resolve(
          parseHead(buffered.subarray(0, end).toString('latin1'), buffered.subarray(end + 4)),
        );
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  });
}

/** Decodes a chunked body (`size\r\ndata\r\n ... 0\r\n\r\n`); undefined until complete. */
function dechunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (bytes.length < start + size + 2) return undefined;
    parts.push(bytes.subarray(start, start + size));
    offset = start + size + 2;
  }
}

/** An error answer's body: Content-Length bytes, a chunked body, or all until the end. */
async function readErrorBody(socket: Socket, head: ResponseHead): Promise<string> {
  const length = Number(head.headers.get('content-length') ?? NaN);
  const chunked = /chunked/i.test(head.headers.get('transfer-encoding') ?? '');
  let bytes = head.rest;
  const complete = (): Buffer | undefined => {
    if (chunked) return dechunk(bytes);
    if (!Number.isNaN(length) && bytes.length >= length) return bytes.subarray(0, length);
    return undefined;
  };
  let body = complete();
  if (body === undefined) {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      bytes = Buffer.concat([bytes, chunk]);
      body = complete();
      if (body !== undefined) break;
    }
  }
  return (body ?? bytes).toString('utf8');
}

function errorMessageOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as ErrorResponse).message || undefined;
  } catch {
    // Not JSON: the caller falls back to the raw text.
    return undefined;
  }
}

function requestText(method: string, path: string, host: string, body: Buffer | undefined): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${host}`,
    `User-Agent: moor/${MOOR_VERSION}`,
    `Content-Type: ${body === undefined ? 'text/plain' : 'application/json'}`,
    `Content-Length: ${body?.length ?? 0}`,
    'Connection: Upgrade',
    'Upgrade: tcp',
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function queryString(query: HijackOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Sends a hijacked request (`POST /containers/{id}/attach`, `POST /exec/{id}/start`) on a new
 * connection and hands the connection over once the daemon agreed. Error answers (4xx, 5xx)
 * throw ApiError with the daemon's message; any other answer that is not an upgrade throws
 * `unable to upgrade to tcp, received N`, as docker's client does.
 */
export async function hijack(
  client: ApiClient,
  method: string,
  path: string,
  options: HijackOptions = {},
): Promise<HijackedConnection> {
  const version = await client.apiVersion();
  const socket = await client.dial();
  try {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const host =
      client.address.kind === 'unix'
        ? 'api.moby.localhost'
        : `${client.address.host.includes(':') ? `[${client.address.host}]` : client.address.host}:${client.address.port}`;
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const target = `/v${version}${path}${queryString(options.query)}`;
    socket.write(requestText(method, target, host, body));
    if (body !== undefined) socket.write(body);
    const head = await readHead(socket);
    const contentType = head.headers.get('content-type') ?? '';
    const isStream = contentType === RAW_STREAM || contentType === MULTIPLEXED_STREAM;
    if (head.status >= 400) {
      const text = await readErrorBody(socket, head);
      throw new ApiError(head.status, errorMessageOf(text) ?? (text.trim() || `${head.status}`));
    }
    if (head.status !== 101 && !(head.status === 200 && isStream)) {
      throw new Error(`unable to upgrade to tcp, received ${head.status}`);
    }
    return connection(socket, head.rest, contentType);
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function connection(socket: Socket, head: Buffer, contentType: string): HijackedConnection {
  let writeClosed = false;
  return {
    socket,
    head,
    contentType,
    multiplexed: contentType === MULTIPLEXED_STREAM,
    async *output() {
      if (head.length > 0) yield head;
      for await (const chunk of socket as AsyncIterable<Buffer>) yield chunk;
    },
    closeWrite() {
      if (writeClosed || socket.destroyed) return;
      writeClosed = true;
      socket.end();
    },
    close() {
      socket.destroy();
    },
  };
}
