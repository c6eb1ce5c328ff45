import type {
  ContainerUpdateRequest,
  ContainerCreateRequest,
  ContainerPruneResponse,
  ContainerTopResponse,
  ContainerWaitResponse,
} from '../../api-types/index.js';
import type { ContainerService, WaitCondition } from '../../containers/index.js';
import { invalidArgument } from '../../core/index.js';
import { readJsonBody, queryBool, queryFilters, queryInt } from '../request.js';
import type { RequestContext, Route } from '../router.js';
import { toContainerInspect, toContainerSummary } from './container-wire.js';

/** What the container routes need from the daemon. */
export type ContainersBackend = ContainerService;

function stopOptions(ctx: RequestContext): { signal?: string; timeout?: number } {
  const signal = ctx.query.get('signal') ?? undefined;
  const timeout = queryInt(ctx.query, 't');
  return {
    ...(signal ? { signal } : {}),
    ...(timeout === undefined ? {} : { timeout }),
  };
}

const WAIT_CONDITIONS = new Set(['', 'not-running', 'next-exit', 'removed']);

async function waitRoute(backend: ContainersBackend, ctx: RequestContext): Promise<void> {
  const condition = ctx.query.get('condition') ?? '';
  if (!WAIT_CONDITIONS.has(condition)) {
    throw invalidArgument(`invalid condition: "${condition}"`);
  }
  // Headers go out as soon as the waiter is registered: clients (docker run) start the
  // container only then, so no exit is missed.
  const result = await backend.wait(
    ctx.params.id ?? '',
    (condition || 'not-running') as WaitCondition,
    ctx.signal,
    () => {
      ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
      ctx.res.flushHeaders();
    },
  );
  const body: ContainerWaitResponse = {
    StatusCode: result.exitCode,
    ...(result.error ? { Error: { Message: result.error } } : {}),
  };
  ctx.res.end(JSON.stringify(body) + '\n');
}

export function containerRoutes(backend: ContainersBackend): Route[] {
  const id = (ctx: RequestContext) => ctx.params.id ?? '';
  return [
    {
      method: 'GET',
      path: '/containers/json',
      handler: async (ctx) => {
        const size = queryBool(ctx.query, 'size');
        const limit = queryInt(ctx.query, 'limit');
        const records = backend.list({
          all: queryBool(ctx.query, 'all'),
          ...(limit !== undefined && limit > 0 ? { limit } : {}),
          filters: queryFilters(ctx.query),
        });
        const now = Date.now();
        const views = await Promise.all(records.map((r) => backend.view(r.id, { size })));
        return { status: 200, body: views.map((v) => toContainerSummary(v, now)) };
      },
    },
    {
      method: 'POST',
      path: '/containers/create',
      handler: async (ctx) => {
        const body = (await readJsonBody(ctx.req)) as ContainerCreateRequest | undefined;
        if (!body) throw invalidArgument('config cannot be empty in order to create a container');
        const name = ctx.query.get('name') ?? undefined;
        const created = await backend.create(body, name || undefined);
        return { status: 201, body: { Id: created.id, Warnings: created.warnings } };
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/json',
      handler: async (ctx) => ({
        status: 200,
        body: toContainerInspect(
          await backend.view(id(ctx), { size: queryBool(ctx.query, 'size') }),
        ),
      }),
    },
    {
      method: 'POST',
      path: '/containers/{id}/start',
      handler: async (ctx) => {
        await backend.start(id(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/stop',
      handler: async (ctx) => {
        await backend.stop(id(ctx), stopOptions(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/restart',
      handler: async (ctx) => {
        await backend.restart(id(ctx), stopOptions(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/kill',
      handler: async (ctx) => {
        await backend.kill(id(ctx), ctx.query.get('signal') ?? undefined);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/pause',
      handler: async (ctx) => {
        await backend.pause(id(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/unpause',
      handler: async (ctx) => {
        await backend.unpause(id(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/rename',
      handler: async (ctx) => {
        const name = ctx.query.get('name') ?? '';
        if (name === '') throw invalidArgument('Neither old nor new names may be empty');
        await backend.rename(id(ctx), name);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/update',
      handler: async (ctx) => {
        const body = ((await readJsonBody(ctx.req)) ?? {}) as ContainerUpdateRequest;
        const warnings = await backend.update(id(ctx), body);
        return { status: 200, body: { Warnings: warnings.length > 0 ? warnings : null } };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/wait',
      handler: (ctx) => waitRoute(backend, ctx),
    },
    {
      method: 'DELETE',
      path: '/containers/{id}',
      handler: async (ctx) => {
        await backend.remove(id(ctx), {
          force: queryBool(ctx.query, 'force'),
          volumes: queryBool(ctx.query, 'v'),
          link: queryBool(ctx.query, 'link'),
        });
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async (ctx) => {
        const result = await backend.prune(queryFilters(ctx.query));
        const body: ContainerPruneResponse = {
          ContainersDeleted: result.deleted.length > 0 ? result.deleted : null,
          SpaceReclaimed: result.reclaimed,
        };
        return { status: 200, body };
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/resize',
      handler: async (ctx) => {
        const h = queryInt(ctx.query, 'h') ?? 0;
        const w = queryInt(ctx.query, 'w') ?? 0;
        await backend.resize(id(ctx), h, w);
        return { status: 200 };
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/top',
      handler: async (ctx) => {
        const table = await backend.top(id(ctx), ctx.query.get('ps_args') ?? '');
        const body: ContainerTopResponse = { Titles: table.titles, Processes: table.processes };
        return { status: 200, body };
      },
    },
  ];
}
