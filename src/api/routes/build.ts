import type { HostConfig } from '../../api-types/index.js';
import { type BuildOptions, type BuildService, BuildStepError } from '../../build/index.js';
import { errorMessage, invalidArgument } from '../../core/index.js';
import { tagReference } from '../../images/index.js';
import { startJsonStream } from '../json-stream.js';
import { queryBool, queryFilters, queryInt, queryList } from '../request.js';
import type { RequestContext, Route } from '../router.js';

/** What the build routes need: the build service. */
export type BuildBackend = Pick<BuildService, 'build' | 'prune'>;

function jsonQuery<T>(query: URLSearchParams, name: string, fallback: T): T {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw invalidArgument(`invalid ${name} value: ${errorMessage(err)}`, err);
  }
}

/** The query of `POST /build` as build options; bad values are 400 before anything starts. */
export function parseBuildQuery(query: URLSearchParams): BuildOptions {
  const tags = queryList(query, 't')
    .filter((t) => t !== '')
    .map((t) => tagReference(t, undefined));
  const hostConfig: HostConfig = {
    NetworkMode: query.get('networkmode') || 'default',
    Memory: queryInt(query, 'memory') ?? 0,
    MemorySwap: queryInt(query, 'memswap') ?? 0,
    CpuShares: queryInt(query, 'cpushares') ?? 0,
    CpuPeriod: queryInt(query, 'cpuperiod') ?? 0,
    CpuQuota: queryInt(query, 'cpuquota') ?? 0,
    CpusetCpus: query.get('cpusetcpus') ?? '',
    CpusetMems: query.get('cpusetmems') ?? '',
    ShmSize: queryInt(query, 'shmsize') ?? 0,
    ExtraHosts: queryList(query, 'extrahosts')
      .flatMap((h) => h.split(','))
      .filter((h) => h !== ''),
    Ulimits: jsonQuery(query, 'ulimits', []),
  };
  const platform = query.get('platform') || undefined;
  if (platform && !/^linux(\/amd64)?(\/v\d)?$/i.test(platform) && platform !== 'amd64') {
    throw invalidArgument(`"${platform}": unsupported platform: only linux/amd64 builds here`);
  }
  return {
    tags,
    dockerfile: query.get('dockerfile') ?? '',
    buildArgs: jsonQuery(query, 'buildargs', {}),
    labels: jsonQuery(query, 'labels', {}),
    noCache: queryBool(query, 'nocache'),
    cacheFrom: jsonQuery(query, 'cachefrom', []),
    pull: queryBool(query, 'pull'),
    remove: queryBool(query, 'rm', true),
    forceRemove: queryBool(query, 'forcerm'),
    target: query.get('target') || undefined,
    platform,
    quiet: queryBool(query, 'q'),
    remote: query.get('remote') || undefined,
    hostConfig,
  };
}

async function build(backend: BuildBackend, ctx: RequestContext): Promise<void> {
  const options = parseBuildQuery(ctx.query);
  const stream = startJsonStream(ctx.res);
  try {
    await backend.build(
      ctx.req,
      options,
      {
        stream: (text) => stream.write({ stream: text }),
        aux: (imageId) => stream.write({ aux: { ID: imageId } }),
      },
      ctx.signal,
    );
  } catch (err) {
    if (ctx.signal.aborted) return;
    if (err instanceof BuildStepError) {
      stream.write({ errorDetail: { code: err.code, message: err.message }, error: err.message });
    } else {
      stream.fail(err);
    }
  }
  stream.end();
}

export function buildRoutes(backend: BuildBackend): Route[] {
  return [
    { method: 'POST', path: '/build', handler: (ctx) => build(backend, ctx) },
    {
      method: 'POST',
      path: '/build/prune',
      handler: async (ctx) => {
        const result = await backend.prune({
          all: queryBool(ctx.query, 'all'),
          filters: queryFilters(ctx.query),
          keepStorage: queryInt(ctx.query, 'keep-storage') ?? 0,
        });
        return {
          status: 200,
          body: {
            CachesDeleted: result.deleted.length > 0 ? result.deleted : null,
            SpaceReclaimed: result.reclaimed,
          },
        };
      },
    },
  ];
}
