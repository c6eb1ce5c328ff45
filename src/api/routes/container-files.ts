import { pipeline } from 'node:stream/promises';

import type { PathStat } from '../../api-types/index.js';
import { type ContainerFiles, encodePathStat } from '../../containers/index.js';
import { invalidArgument } from '../../core/index.js';
import { queryBool } from '../request.js';
import type { RequestContext, Route } from '../router.js';

/** What the file routes (`docker cp`, `diff`, `export`) need from the daemon. */
export type ContainerFilesBackend = ContainerFiles;

const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';
const TAR = 'application/x-tar';

/** The `path` query parameter, required as dockerd requires it. */
function pathParam(ctx: RequestContext): string {
  const path = ctx.query.get('path') ?? '';
  if (path === '') throw invalidArgument('bad parameter: path cannot be empty');
  return path;
}

/**
 * Streams a tar to the client; `stat` adds the path-stat header of the archive endpoints. Once
 * the headers are out, an error can only cut the response (the server destroys it).
 */
async function sendTar(
  ctx: RequestContext,
  tar: AsyncIterable<Buffer>,
  stat?: PathStat,
): Promise<void> {
  ctx.res.writeHead(200, {
    'Content-Type': TAR,
    ...(stat === undefined ? {} : { [PATH_STAT_HEADER]: encodePathStat(stat) }),
  });
  try {
    await pipeline(tar, ctx.res);
  } catch (err) {
    // A client that went away mid-archive (`docker cp ... - | head`) is no server error.
    if (ctx.signal.aborted) return;
    throw err;
  }
}

export function containerFileRoutes(backend: ContainerFilesBackend): Route[] {
  const id = (ctx: RequestContext) => ctx.params.id ?? '';
  return [
    {
      method: 'HEAD',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const stat = await backend.statPath(id(ctx), pathParam(ctx));
        ctx.res.writeHead(200, {
          'Content-Type': 'application/json',
          [PATH_STAT_HEADER]: encodePathStat(stat),
        });
        ctx.res.end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/archive',
      handler: (ctx) =>
        backend.archivePath(id(ctx), pathParam(ctx), ctx.signal, (stat, tar) =>
          sendTar(ctx, tar, stat),
        ),
    },
    {
      method: 'PUT',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        await backend.extractArchive(id(ctx), pathParam(ctx), ctx.req, {
          noOverwriteDirNonDir: queryBool(ctx.query, 'noOverwriteDirNonDir'),
          copyUIDGID: queryBool(ctx.query, 'copyUIDGID'),
          signal: ctx.signal,
        });
        return { status: 200 };
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/export',
      handler: (ctx) => backend.exportRootfs(id(ctx), ctx.signal, (tar) => sendTar(ctx, tar)),
    },
    {
      method: 'GET',
      path: '/containers/{id}/changes',
      handler: async (ctx) => {
        const changes = await backend.changes(id(ctx), ctx.signal);
        // dockerd encodes an empty list as null.
        return { status: 200, body: changes.length === 0 ? null : changes };
      },
    },
  ];
}
