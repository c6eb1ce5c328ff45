import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import type { ImageDeleteResponseItem } from '../../api-types/index.js';
import { invalidArgument, notImplemented, unavailable } from '../../core/index.js';
import type { DeleteItem, ImageService } from '../../images/index.js';
import type { DistributionService, RegistryAuth } from '../../distribution/index.js';
import { tagReference } from '../../images/index.js';
import { startJsonStream } from '../json-stream.js';
import { queryBool, queryFilters, queryList } from '../request.js';
import type { RequestContext, Route } from '../router.js';
import { toHistoryItem, toImageInspect, toImageSummary } from './image-wire.js';

/** What the image routes need from the daemon: the image service. */
export type ImagesBackend = Omit<ImageService, 'count'> & {
  /** Registry pulls (`fromImage`) and pushes, when the engine has them. */
  pull?: DistributionService['pull'];
  push?: DistributionService['push'];
};

function toDeleteItems(items: DeleteItem[]): ImageDeleteResponseItem[] {
  return items.map((i) => ('untagged' in i ? { Untagged: i.untagged } : { Deleted: i.deleted }));
}

async function openSource(ctx: RequestContext, fromSrc: string): Promise<AsyncIterable<Buffer>> {
  if (fromSrc === '-') return ctx.req;
  if (!/^https?:\/\//.test(fromSrc)) {
    throw invalidArgument(
      `invalid source ${fromSrc}: use - for the request body, or an http(s) URL`,
    );
  }
  let res: Response;
  try {
    res = await fetch(fromSrc, { signal: ctx.signal });
  } catch (err) {
    throw unavailable(`error fetching ${fromSrc}: ${(err as Error).message}`, err);
  }
  if (!res.ok || !res.body)
    throw unavailable(`error fetching ${fromSrc}: ${res.status} ${res.statusText}`);
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}

async function createImage(backend: ImagesBackend, ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const fromSrc = q.get('fromSrc');
  if (fromSrc === null) {
    const fromImage = q.get('fromImage');
    if (fromImage) return pullImage(backend, ctx, fromImage);
    throw invalidArgument('fromSrc or fromImage is required');
  }
  const repo = q.get('repo') ?? '';
  const ref = repo === '' ? undefined : tagReference(repo, q.get('tag') ?? undefined);
  const source = await openSource(ctx, fromSrc);
  const stream = startJsonStream(ctx.res);
  try {
    let last = 0;
    const record = await backend.importTarball(source, {
      ref,
      changes: queryList(q, 'changes'),
      message: q.get('message') ?? '',
      source: fromSrc,
      signal: ctx.signal,
      onProgress: (current) => {
        if (current - last < 1 << 20) return;
        last = current;
        stream.write({ status: 'Importing', progressDetail: { current }, id: '' });
      },
    });
    stream.write({ status: record.id });
  } catch (err) {
    stream.fail(err);
  }
  stream.end();
}

/** X-Registry-Auth: base64url JSON of the credentials (docker login's), if given. */
export function registryAuthHeader(ctx: RequestContext): RegistryAuth | undefined {
  const header = ctx.req.headers['x-registry-auth'];
  if (typeof header !== 'string' || header === '') return undefined;
  try {
    const auth = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as RegistryAuth;
    return typeof auth === 'object' && auth !== null ? auth : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

async function pullImage(backend: ImagesBackend, ctx: RequestContext, fromImage: string) {
  if (!backend.pull) throw notImplemented('pulling images is not available');
  const platform = ctx.query.get('platform') || undefined;
  const options = {
    auth: registryAuthHeader(ctx),
    platform,
    signal: ctx.signal,
  };
  // Bad names and platforms are 400s before the stream starts.
  const stream = startJsonStream(ctx.res);
  try {
    await backend.pull(fromImage, ctx.query.get('tag') ?? '', {
      ...options,
      onMessage: (message) => stream.write(message),
    });
  } catch (err) {
    stream.fail(err);
  }
  stream.end();
}

async function pushImage(backend: ImagesBackend, ctx: RequestContext, name: string) {
  if (!backend.push) throw notImplemented('pushing images is not available');
  const stream = startJsonStream(ctx.res);
  try {
    await backend.push(name, ctx.query.get('tag') ?? '', {
      auth: registryAuthHeader(ctx),
      signal: ctx.signal,
      onMessage: (message) => stream.write(message),
    });
  } catch (err) {
    stream.fail(err);
  }
  stream.end();
}

async function loadImages(backend: ImagesBackend, ctx: RequestContext): Promise<void> {
  const quiet = queryBool(ctx.query, 'quiet');
  const stream = startJsonStream(ctx.res);
  try {
    const result = await backend.load(ctx.req, {
      signal: ctx.signal,
      onProgress: quiet
        ? undefined
        : (p) =>
            stream.write({
              status: p.status,
              id: p.id,
              progressDetail: { current: p.current, total: p.total },
            }),
    });
    for (const line of result.messages) stream.write({ stream: line + '\n' });
  } catch (err) {
    stream.fail(err);
  }
  stream.end();
}

async function saveImages(
  backend: ImagesBackend,
  ctx: RequestContext,
  names: string[],
): Promise<void> {
  if (names.length === 0) throw invalidArgument('no image names given');
  const tar = backend.save(names);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await pipeline(tar, ctx.res);
}

export function imageRoutes(backend: ImagesBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/images/json',
      handler: async (ctx) => {
        const images = await backend.list({
          all: queryBool(ctx.query, 'all'),
          filters: queryFilters(ctx.query),
        });
        return { status: 200, body: images.map((i) => toImageSummary(i, ctx.apiVersion)) };
      },
    },
    { method: 'POST', path: '/images/create', handler: (ctx) => createImage(backend, ctx) },
    { method: 'POST', path: '/images/load', handler: (ctx) => loadImages(backend, ctx) },
    {
      method: 'GET',
      path: '/images/get',
      handler: (ctx) => saveImages(backend, ctx, queryList(ctx.query, 'names')),
    },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async (ctx) => {
        const { items, freed } = await backend.prune(queryFilters(ctx.query));
        return {
          status: 200,
          body: {
            ImagesDeleted: items.length ? toDeleteItems(items) : null,
            SpaceReclaimed: freed,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/images/{name:.+}/json',
      handler: async (ctx) => ({
        status: 200,
        body: toImageInspect(await backend.inspect(ctx.params['name'] ?? ''), ctx.apiVersion),
      }),
    },
    {
      method: 'GET',
      path: '/images/{name:.+}/history',
      handler: async (ctx) => ({
        status: 200,
        body: (await backend.history(ctx.params['name'] ?? '')).map(toHistoryItem),
      }),
    },
    {
      method: 'GET',
      path: '/images/{name:.+}/get',
      handler: (ctx) => saveImages(backend, ctx, [ctx.params['name'] ?? '']),
    },
    {
      method: 'POST',
      path: '/images/{name:.+}/push',
      handler: (ctx) => pushImage(backend, ctx, ctx.params['name'] ?? ''),
    },
    {
      method: 'POST',
      path: '/images/{name:.+}/tag',
      handler: async (ctx) => {
        const repo = ctx.query.get('repo') ?? '';
        if (repo === '') throw invalidArgument('repository name must have at least one component');
        await backend.tag(
          ctx.params['name'] ?? '',
          tagReference(repo, ctx.query.get('tag') || undefined),
        );
        return { status: 201 };
      },
    },
    {
      method: 'DELETE',
      path: '/images/{name:.+}',
      handler: async (ctx) => {
        const { items } = await backend.remove(ctx.params['name'] ?? '', {
          force: queryBool(ctx.query, 'force'),
          noprune: queryBool(ctx.query, 'noprune'),
        });
        return { status: 200, body: toDeleteItems(items) };
      },
    },
  ];
}
