import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { ErrorResponse } from '../api-types/index.js';
import { API_VERSION, type HostAddress, parseHostAddress } from '../core/index.js';

export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Check the server's certificate against `ca` (docker's --tlsverify). */
  verify: boolean;
}

export interface ClientOptions {
  /** A DOCKER_HOST-style address: unix:///path or tcp://host:port. */
  host: string;
  tls?: TlsOptions;
  /** Use this API version instead of negotiating one with the server. */
  apiVersion?: string;
}

export interface RequestOptions {
  /** Query parameters; a list repeats the key (`names=a&names=b`). */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** A Buffer is sent as is; any other value as JSON. */
  body?: unknown;
  /**
   * A request body streamed with chunked encoding (image load and import uploads). The answer
   * resolves as soon as the daemon sends it, even before the upload ends.
   */
  upload?: AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** An error answer from the daemon, carrying its status and Docker's message. */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
  }
}

export interface PingResult {
  apiVersion: string;
  osType: string;
  builderVersion: string;
}

export interface ApiClient {
  readonly address: HostAddress;
  /** The response as a stream; the caller consumes it. Error statuses are thrown as ApiError. */
  stream(method: string, path: string, options?: RequestOptions): Promise<http.IncomingMessage>;
  /** The response body parsed as JSON (undefined for an empty body). */
  json<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  ping(): Promise<PingResult>;
  /** The version used in request paths: the server's, capped at this client's. */
  apiVersion(): Promise<string>;
  /**
   * A new raw connection to the daemon (TLS when configured), half-open allowed: what
   * hijacked requests (attach, exec start) are written on.
   */
  dial(): Promise<net.Socket>;
  close(): void;
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export function createClient(options: ClientOptions): ApiClient {
  const useTls = options.tls !== undefined;
  const address = parseHostAddress(options.host, useTls);
  const agent = useTls
    ? new https.Agent({
        keepAlive: true,
        ca: options.tls?.ca,
        cert: options.tls?.cert,
        key: options.tls?.key,
        rejectUnauthorized: options.tls?.verify ?? true,
      })
    : new http.Agent({ keepAlive: true });
  let negotiated: Promise<string> | undefined = options.apiVersion
    ? Promise.resolve(options.apiVersion)
    : undefined;

  function send(
    method: string,
    fullPath: string,
    opts: RequestOptions,
  ): Promise<http.IncomingMessage> {
    const body =
      opts.body === undefined
        ? undefined
        : Buffer.isBuffer(opts.body)
          ? opts.body
          : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...opts.headers };
    if (body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const target =
      address.kind === 'unix'
        ? { socketPath: address.path, host: 'localhost' }
        : { host: address.host, port: address.port };
    const lib = useTls ? https : http;
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = lib.request(
        { ...target, method, path: fullPath, headers, agent, signal: opts.signal },
        (res) => {
          answered = true;
          resolve(res);
        },
      );
      req.on('error', reject);
      if (opts.upload === undefined) {
        req.end(body);
        return;
      }
      const source = opts.upload instanceof Readable ? opts.upload : Readable.from(opts.upload);
      // pipeline() destroys the request when the upload fails, which rejects above. An upload
      // cut short because the daemon already answered is the answer's business, not an error.
      pipeline(source, req).catch((err: unknown) => {
        if (!answered) reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  function buildPath(
    version: string | undefined,
    path: string,
    query: RequestOptions['query'],
  ): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (Array.isArray(v)) for (const item of v) params.append(k, item);
      else if (v !== undefined) params.set(k, String(v));
    }
    const qs = params.toString();
    return (version ? `/v${version}` : '') + path + (qs ? `?${qs}` : '');
  }

  const client: ApiClient = {
    address,
    async ping() {
      const res = await send('GET', '/_ping', {});
      await readAll(res);
      if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 500, 'ping failed');
      const header = (name: string) => String(res.headers[name] ?? '');
      return {
        apiVersion: header('api-version'),
        osType: header('ostype'),
        builderVersion: header('builder-version'),
      };
    },
    apiVersion() {
      negotiated ??= client
        .ping()
        .then(({ apiVersion }) =>
          apiVersion && compareVersions(apiVersion, API_VERSION) < 0 ? apiVersion : API_VERSION,
        );
      return negotiated;
    },
    async stream(method, path, opts = {}) {
      const version = await client.apiVersion();
      const res = await send(method, buildPath(version, path, opts.query), opts);
      const status = res.statusCode ?? 500;
      if (status >= 400) {
        const text = await readAll(res);
        let message = text.trim();
        try {
          message = (JSON.parse(text) as ErrorResponse).message ?? message;
        } catch {
          // Not JSON: keep the raw text, as docker does.
        }
        throw new ApiError(status, message || `${status} ${res.statusMessage ?? ''}`.trim());
      }
      return res;
    },
    async json<T>(method: string, path: string, opts: RequestOptions = {}) {
      const text = await readAll(await client.stream(method, path, opts));
      return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
    },
    dial() {
      return new Promise((resolve, reject) => {
        const target =
          address.kind === 'unix'
            ? { path: address.path }
            : { host: address.host, port: address.port };
        const socket = useTls
          ? tls.connect({
              ...target,
              ca: options.tls?.ca,
              cert: options.tls?.cert,
              key: options.tls?.key,
              rejectUnauthorized: options.tls?.verify ?? true,
              ...(address.kind === 'tcp' && net.isIP(address.host) === 0
                ? { servername: address.host }
                : {}),
            })
          : net.connect({ ...target, allowHalfOpen: true });
        const ready = useTls ? 'secureConnect' : 'connect';
        socket.once('error', reject);
        socket.once(ready, () => {
          socket.off('error', reject);
          resolve(socket);
        });
      });
    },
    close() {
      agent.destroy();
    },
  };
  return client;
}

const PATH_SAFE: Readonly<Record<string, string>> = {
  '%24': '$',
  '%26': '&',
  '%2B': '+',
  '%2C': ',',
  '%2F': '/',
  '%3A': ':',
  '%3B': ';',
  '%3D': '=',
  '%40': '@',
};

/**
 * A name (image reference, container name) escaped for a request path as Go's net/url does:
 * `/`, `:` and `@` stay, so `/images/localhost:5000/app:v1/json` reaches the daemon's router
 * as docker sends it.
 */
export function escapePath(name: string): string {
  return encodeURIComponent(name).replace(/%(?:24|26|2B|2C|2F|3A|3B|3D|40)/gi, (m) => {
    return PATH_SAFE[m.toUpperCase()] ?? m;
  });
}
