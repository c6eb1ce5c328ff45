import {
  errorMessage,
  invalidArgument,
  isMoorError,
  notFound,
  unauthorized,
  unavailable,
} from '../core/index.js';
import {
  type RegistryRequest,
  type RegistryResponse,
  type RegistryTls,
  readCertsDir,
  registryFetch,
} from './registry-http.js';

/** Credentials from X-Registry-Auth (docker login's config), used for one request only. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface RegistryClientOptions {
  /** The reference's domain (`docker.io`, `localhost:5000`). */
  domain: string;
  /** Plain HTTP allowed (after HTTPS failed), as for Docker's insecure registries. */
  insecure: boolean;
  auth?: RegistryAuth | undefined;
  signal?: AbortSignal | undefined;
  /** A mirror's URL decides its scheme itself. */
  scheme?: 'https' | 'http' | undefined;
  /** Docker's `certs.d`: per-registry CAs and client certificates (`<dir>/<host[:port]>/`). */
  certsDir?: string | undefined;
}

/**
 * A client of one registry's distribution API: picks HTTPS (or HTTP for an insecure
 * registry), and answers authentication challenges — Docker's token flow (`Bearer realm`,
 * `service`, `scope` → token endpoint → retry) and basic auth — with the given credentials.
 */
export interface RegistryClient {
  /** `path` starts with `/v2/`; `scope` is the token scope (`repository:x:pull`). */
  fetch(path: string, init: RegistryRequest, scope: string): Promise<RegistryResponse>;
  /** The registry's name in messages. */
  readonly domain: string;
}

const DOCKER_HUB = 'registry-1.docker.io';

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const host = options.domain === 'docker.io' ? DOCKER_HUB : options.domain;
  let scheme: 'https' | 'http' | undefined = options.scheme;
  const tokens = new Map<string, string>();
  // As Docker: an insecure registry's certificate is not checked; others are, against the
  // usual roots and the registry's certs.d CAs.
  // certs.d is read once per host for the client's life (one pull, push or login).
  const tlsByHost = new Map<string, Promise<RegistryTls>>();
  const tlsFor = (target: string): Promise<RegistryTls> => {
    let tls = tlsByHost.get(target);
    if (!tls) {
      tls = (async () => ({
        ...(options.certsDir ? await readCertsDir(options.certsDir, target) : {}),
        verify: !(options.insecure && target === host),
      }))();
      tlsByHost.set(target, tls);
    }
    return tls;
  };

  async function send(
    url: string,
    init: RegistryRequest,
    authorization?: string,
  ): Promise<RegistryResponse> {
    const headers = { ...init.headers, ...(authorization ? { Authorization: authorization } : {}) };
    return registryFetch(url, { ...init, headers, signal: options.signal }, tlsFor);
  }

  async function connect(path: string, init: RegistryRequest, authorization?: string) {
    if (scheme) {
      const url = `${scheme}://${host}${path}`;
      try {
        return await send(url, init, authorization);
      } catch (err) {
        throw connectionError(url, init, err);
      }
    }
    try {
      const res = await send(`https://${host}${path}`, init, authorization);
      scheme = 'https';
      return res;
    } catch (err) {
      // A TLS server that refused the handshake is not a plain HTTP server either.
      if (!options.insecure || isMoorError(err) || tlsAlert(err) !== undefined) {
        throw connectionError(`https://${host}${path}`, init, err);
      }
      try {
        const res = await send(`http://${host}${path}`, init, authorization);
        scheme = 'http';
        return res;
      } catch (plainErr) {
        throw connectionError(`http://${host}${path}`, init, plainErr);
      }
    }
  }

  function basic(): string | undefined {
    const { username, password } = options.auth ?? {};
    if (!username) return undefined;
    return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }

  async function token(challenge: Record<string, string>, scope: string): Promise<string> {
    const realm = challenge['realm'];
    if (!realm) throw unauthorized('authentication required: no token realm');
    const url = new URL(realm);
    if (challenge['service']) url.searchParams.set('service', challenge['service']);
    const wanted = challenge['scope'] ?? scope;
    if (wanted !== '') url.searchParams.set('scope', wanted);
    const auth = basic();
    let res: RegistryResponse;
    try {
      res = await registryFetch(
        url.href,
        { headers: auth ? { Authorization: auth } : {}, signal: options.signal },
        tlsFor,
      );
    } catch (err) {
      throw unavailable(`error getting a token from ${realm}: ${errorMessage(err)}`, err);
    }
    if (!res.ok) {
      throw unauthorized(
        res.status === 401
          ? 'unauthorized: incorrect username or password'
          : `token request to ${realm} failed: ${res.status} ${res.statusText}`,
      );
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const value = body.token ?? body.access_token;
    if (!value) throw unauthorized(`token request to ${realm} gave no token`);
    return value;
  }

  return {
    domain: options.domain,
    async fetch(path, init, scope) {
      const cached = tokens.get(scope);
      let res = await connect(path, init, cached ? `Bearer ${cached}` : basic());
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      res.discard();
      if (challenge.scheme === 'bearer') {
        const value = options.auth?.registrytoken ?? (await token(challenge.params, scope));
        tokens.set(scope, value);
        res = await connect(path, init, `Bearer ${value}`);
      } else if (challenge.scheme === 'basic' && basic() && !init.headers) {
        res = await connect(path, init, basic());
      }
      return res;
    },
  };
}

function connectionError(url: string, init: RegistryRequest, err: unknown): Error {
  // moord's own refusals (a broken certs.d) are not connection failures.
  if (isMoorError(err)) return err;
  const cause = ((err as { cause?: unknown }).cause ?? err) as {
    code?: string;
    message?: string;
    address?: string;
    port?: number;
  };
  const method = init.method ?? 'GET';
  const prefix = `${method[0]}${method.slice(1).toLowerCase()} "${url}"`;
  const message = cause.message ?? errorMessage(err);
  if (cause.code === 'EPROTO' || /wrong version number|packet length/i.test(message)) {
    return unavailable(`${prefix}: http: server gave HTTP response to HTTPS client`, err);
  }
  const alert = tlsAlert(err);
  if (alert !== undefined) return unavailable(`${prefix}: remote error: tls: ${alert}`, err);
  if (UNKNOWN_AUTHORITY.has(cause.code ?? '')) {
    return unavailable(
      `${prefix}: tls: failed to verify certificate: x509: certificate signed by unknown authority`,
      err,
    );
  }
  if (cause.code === 'ECONNREFUSED' && cause.address !== undefined) {
    return unavailable(
      `${prefix}: dial tcp ${cause.address}:${cause.port}: connect: connection refused`,
      err,
    );
  }
  return unavailable(`${prefix}: ${message}`, err);
}

/** The alert a TLS server answered the handshake with, in Go's words ('certificate required'). */
function tlsAlert(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  const match = typeof code === 'string' ? /^ERR_SSL_\w+?_ALERT_(\w+)$/.exec(code) : null;
  return match?.[1]?.toLowerCase().replace(/_/g, ' ');
}

/** Node's codes for a certificate no trusted root vouches for. */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/** `Bearer realm="...",service="...",scope="..."` → scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    params[(m[1] as string).toLowerCase()] = m[2] as string;
  }
  return { scheme, params };
}

/** A registry answer that is not a success, as Docker words it. */
export async function registryFailure(res: RegistryResponse, what: string): Promise<Error> {
  let detail = '';
  try {
    const body = (await res.json()) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    // Go's errcode: the code in lower case and words ("manifest unknown: ...").
    if (first) {
      detail = `${(first.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${first.message ?? ''}`;
    }
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  if (res.status === 404) return notFound(`${what}: ${detail || 'not found'}`);
  // As Docker: the registry's own words ("unauthorized: authentication required").
  if (res.status === 401 || res.status === 403) {
    return unauthorized(detail || 'unauthorized: authentication required');
  }
  return invalidArgument(`${what}: ${detail || `${res.status} ${res.statusText}`}`);
}
