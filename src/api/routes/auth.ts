import type { DistributionService, RegistryAuth } from '../../distribution/index.js';
import { readJsonBody } from '../request.js';
import type { Route } from '../router.js';

/** `POST /auth` (docker login): the credentials are checked against the registry, not kept. */
export function authRoutes(login: DistributionService['login']): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth',
      handler: async (ctx) => {
        const body = ((await readJsonBody(ctx.req)) ?? {}) as RegistryAuth & {
          serveraddress?: string;
        };
        await login(body, ctx.signal);
        return { status: 200, body: { Status: 'Login Succeeded', IdentityToken: '' } };
      },
    },
  ];
}
