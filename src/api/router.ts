import type { IncomingMessage, ServerResponse } from 'node:http';

import { invalidArgument } from '../core/index.js';

/** What a handler gets for one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Route path without the `/vX.Y` prefix. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for (the server's own when unversioned). */
  apiVersion: string;
  /** Aborted when the client goes away before the response is complete. */
  signal: AbortSignal;
}

/** A JSON reply; handlers that stream write to `ctx.res` themselves and return nothing. */
export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: RequestContext) => Promise<Reply | void> | Reply | void;

export interface Route {
  method: string;
  /** `/containers/{id}/json`; `{name:.*}` matches across slashes (image names). */
  path: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' };

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (err) {
    throw invalidArgument(`malformed path parameter: ${raw}`, err);
  }
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(
    /\{(\w+)(?::([^}]+))?\}|([^{]+)/g,
    (_, name?: string, custom?: string, literal?: string) => {
      if (literal !== undefined) return literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(name as string);
      return custom === undefined ? '([^/]+)' : `(${custom})`;
    },
  );
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export interface Router {
  match(method: string, path: string): RouteMatch;
}

export function createRouter(routes: Route[]): Router {
  const compiled = routes.map(compile);
  return {
    match(method, path) {
      const allowed: string[] = [];
      for (const route of compiled) {
        const m = route.pattern.exec(path);
        if (!m) continue;
        if (route.method === method) {
          const params: Record<string, string> = {};
          route.names.forEach((name, i) => (params[name] = decodeParam(m[i + 1] ?? '')));
          return { kind: 'found', handler: route.handler, params };
        }
        allowed.push(route.method);
      }
      if (method === 'HEAD' && allowed.includes('GET')) return this.match('GET', path);
      return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
    },
  };
}
