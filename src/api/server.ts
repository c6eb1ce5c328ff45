import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import { API_VERSION, type Logger, MOOR_VERSION, errorMessage } from '../core/index.js';
import { statusFromError } from './http-status.js';
import { type RequestContext, type Route, createRouter } from './router.js';
import { splitVersionedPath } from './version.js';

export interface ApiOptions {
  routes: Route[];
  logger: Logger;
}

/** Headers every response carries, as dockerd's version middleware sets them. */
function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
  res.setHeader('Server', `moor/${MOOR_VERSION} (linux)`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 304) {
    res.writeHead(304);
    res.end();
    return;
  }
  sendJson(res, status, { message });
}

/**
 * The HTTP front of the daemon: strips and checks the API version, routes, runs the handler,
 * and turns thrown errors into Docker's `{"message": ...}` bodies. Handlers never see HTTP
 * errors; services never see HTTP.
 */
export function createApiHandler(options: ApiOptions): RequestListener {
  const router = createRouter(options.routes);
  const { logger } = options;

  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
      if (logger.isEnabled('debug')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.debug('API request', {
          method: req.method,
          path: req.url,
          status: res.statusCode,
          duration: `${ms.toFixed(2)}ms`,
        });
      }
    });
    setCommonHeaders(res);
    void dispatch(req, res, controller.signal).catch((err: unknown) => {
      const status = statusFromError(err);
      // 501 answers an unsupported request (e.g. logs of a `none` driver): not a daemon fault.
      if (status >= 500 && status !== 501) {
        logger.error('API request failed', {
          method: req.method,
          path: req.url,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      }
      sendError(res, status, errorMessage(err));
    });
  };

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://moor');
    const { version, path } = splitVersionedPath(url.pathname);
    const method = req.method ?? 'GET';
    const match = router.match(method, path);
    if (match.kind === 'none') {
      sendError(res, 404, 'page not found');
      return;
    }
    if (match.kind === 'wrong-method') {
      res.setHeader('Allow', match.allowed.join(', '));
      sendError(res, 405, 'method not allowed');
      return;
    }
    const ctx: RequestContext = {
      req,
      res,
      path,
      params: match.params,
      query: url.searchParams,
      apiVersion: version,
      signal,
    };
    const reply = await match.handler(ctx);
    if (reply === undefined) return;
    if (reply.body === undefined) {
      res.writeHead(reply.status);
      res.end();
    } else {
      sendJson(res, reply.status, reply.body);
    }
  }
}
