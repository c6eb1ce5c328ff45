import { readFile, readdir } from 'node:fs/promises';
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';

import { hasErrno, invalidArgument } from '../core/index.js';

/**
 * HTTP for registries on node:http(s): node streams end to end (no web-stream conversions on
 * the layer path), and TLS set per registry as Docker sets it — CAs and client certificates
 * from `certs.d/<host[:port]>/`, no verification for insecure registries.
 */

/** How to speak TLS to one registry. */
export interface RegistryTls {
  /** Extra roots (certs.d `*.crt`), trusted beside the usual ones. */
  ca?: Buffer[];
  /** A client certificate and its key (certs.d `*.cert` and `*.key`). */
  cert?: Buffer;
  key?: Buffer;
  /** false for insecure registries: any certificate is accepted. */
  verify: boolean;
}

export interface RegistryRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  signal?: AbortSignal | undefined;
}

/** A registry's answer; the body is a node stream, to read once. */
export interface RegistryResponse {
  status: number;
  statusText: string;
  ok: boolean;
  headers: Headers;
  /** null for HEAD. */
  body: Readable | null;
  buffer(): Promise<Buffer>;
  json(): Promise<unknown>;
  /** Drains the body unread (small answers: the connection is then reused). */
  discard(): void;
}

const MAX_REDIRECTS = 10;
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgents = new Map<string, HttpsAgent>();

function httpsAgent(tls: RegistryTls): HttpsAgent {
  const key = JSON.stringify([
    tls.verify,
    tls.ca?.map((c) => c.toString('base64')),
    tls.cert?.toString('base64'),
  ]);
  let agent = httpsAgents.get(key);
  if (!agent) {
    agent = new HttpsAgent({
      keepAlive: true,
      rejectUnauthorized: tls.verify,
      ...(tls.ca && tls.ca.length > 0 ? { ca: [...rootCertificates, ...tls.ca] } : {}),
      ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
    });
    httpsAgents.set(key, agent);
  }
  return agent;
}

/**
 * One request; redirects of GET and HEAD are followed (blob stores hand out other hosts, so
 * the Authorization header goes only to the host it was meant for), with `tlsFor` deciding
 * the TLS of each host.
 */
export async function registryFetch(
  url: string,
  init: RegistryRequest,
  tlsFor: (host: string) => Promise<RegistryTls>,
): Promise<RegistryResponse> {
  const method = init.method ?? 'GET';
  let target = new URL(url);
  let headers = { ...init.headers };
  for (let hops = 0; ; hops++) {
    const res = await send(target, method, headers, init, await tlsFor(target.host));
    const location = res.headers.location;
    if (
      location === undefined ||
      ![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) ||
      (method !== 'GET' && method !== 'HEAD') ||
      hops >= MAX_REDIRECTS
    ) {
      return response(res, method);
    }
    res.destroy();
    const next = new URL(location, target);
    if (next.host !== target.host) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
      );
    }
    target = next;
  }
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  init: RegistryRequest,
  tls: RegistryTls,
): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  const { body } = init;
  const sized = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers: {
        ...headers,
        ...(Buffer.isBuffer(sized) ? { 'Content-Length': String(sized.length) } : {}),
      },
      agent: https ? httpsAgent(tls) : httpAgent,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    req.once('response', resolve);
    // Later errors (after the answer came) reach the body's reader, if any.
    req.on('error', reject);
    if (sized instanceof Readable) {
      sized.once('error', (err) => req.destroy(err));
      sized.pipe(req);
    } else {
      req.end(sized);
    }
  });
}

function response(res: IncomingMessage, method: string): RegistryResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const status = res.statusCode ?? 0;
  // A body cut off that nobody reads must not take the daemon down; readers still see it.
  res.on('error', () => undefined);
  const body = method === 'HEAD' ? null : res;
  let discarded = body === null;
  if (body === null) res.resume();
  const buffer = async () => {
    if (discarded || body === null) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    headers,
    body,
    buffer,
    async json() {
      return JSON.parse((await buffer()).toString('utf8')) as unknown;
    },
    discard() {
      if (discarded) return;
      discarded = true;
      res.resume();
    },
  };
}

/**
 * Docker's per-registry TLS material in `certsDir/<host[:port]>/`: `*.crt` files are CAs,
 * `name.cert` with `name.key` a client certificate. A missing directory means none.
 */
export async function readCertsDir(certsDir: string, host: string): Promise<Partial<RegistryTls>> {
  const dir = join(certsDir, host);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return {};
    throw err;
  }
  const tls: Partial<RegistryTls> = {};
  for (const name of names) {
    if (name.endsWith('.crt')) {
      (tls.ca ??= []).push(await readFile(join(dir, name)));
    } else if (name.endsWith('.cert') && tls.cert === undefined) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(keyName)) {
        throw invalidArgument(
          `missing key ${keyName} for client certificate ${name}. CA certificates must use the extension .crt`,
        );
      }
      tls.cert = await readFile(join(dir, name));
      tls.key = await readFile(join(dir, keyName));
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`;
      if (!names.includes(certName)) {
        throw invalidArgument(`missing client certificate ${certName} for key ${name}`);
      }
    }
  }
  return tls;
}
