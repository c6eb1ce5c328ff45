import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { RegistryHandler } from './registry-server.js';
import { registryErrors } from './registry-errors.js';

/**
 * HTTP basic auth in front of the registry (`--htpasswd`): requests without valid
 * credentials get 401 with a `Basic` challenge and the spec's UNAUTHORIZED body. Checks are
 * remembered (by a hash of the credentials) for a minute, as bcrypt is slow on purpose.
 */
export function withBasicAuth(
  handler: RegistryHandler,
  verify: (user: string, password: string) => Promise<boolean>,
  realm = 'moor registry',
): RegistryHandler {
  const accepted = new Map<string, number>();
  return async (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic (.+)$/i.exec(header);
    if (match) {
      const text = Buffer.from(match[1] as string, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      const key = createHash('sha256').update(text).digest('hex');
      const until = accepted.get(key);
      if (until !== undefined && until > Date.now()) return handler(req, res);
      if (colon !== -1 && (await verify(text.slice(0, colon), text.slice(colon + 1)))) {
        accepted.set(key, Date.now() + 60_000);
        return handler(req, res);
      }
    }
    req.resume();
    const error = registryErrors.unauthorized();
    const body = JSON.stringify({ errors: [error.body()] });
    res.writeHead(401, {
      'WWW-Authenticate': `Basic realm="${realm}"`,
      'Content-Type': 'application/json; charset=utf-8',
      'Docker-Distribution-API-Version': 'registry/2.0',
      'Content-Length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  };
}
