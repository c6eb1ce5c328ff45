import type { FilesystemChange, PathStat } from '../api-types/index.js';
import { forbidden } from '../core/index.js';
import type { ContainerContext } from './container-context.js';
import { resolveContainerUser } from './process-setup.js';
import { archivePath, exportRootfs, statPath } from './rootfs-archive.js';
import { leaseChanges } from './container-layer.js';
import { extractArchive } from './rootfs-extract.js';
import { mountedRootfsReader } from './rootfs-reader.js';
import { withRootfs } from './rootfs-lease.js';
import { publishContainerEvent } from './container-event.js';

/**
 * The container file operations behind `docker cp`, `docker diff` and `docker export`. Each
 * works on running and stopped containers alike (see withRootfs) and resolves every path
 * inside the container's root filesystem. `ref` is the name or id the client gave (it appears
 * in Docker's not-found message). A stream handed to a `send` callback is valid only until
 * the callback settles: the container is released then.
 */
export interface ContainerFiles {
  /** `HEAD /containers/{id}/archive`. NotFound: Docker's "Could not find the file". */
  statPath(ref: string, path: string): Promise<PathStat>;
  /** `GET /containers/{id}/archive`: path errors are thrown before `send` is called. */
  archivePath(
    ref: string,
    path: string,
    signal: AbortSignal,
    send: (stat: PathStat, tar: AsyncIterable<Buffer>) => Promise<void>,
  ): Promise<void>;
  /**
   * `PUT /containers/{id}/archive`: extracts a tar into directory `path`. Forbidden when the
   * rootfs is read-only; NotFound / InvalidArgument as extractArchive.
   */
  extractArchive(
    ref: string,
    path: string,
    tar: AsyncIterable<Buffer>,
    options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean; signal: AbortSignal },
  ): Promise<void>;
  /** `GET /containers/{id}/export`: the whole root filesystem. */
  exportRootfs(
    ref: string,
    signal: AbortSignal,
    send: (tar: AsyncIterable<Buffer>) => Promise<void>,
  ): Promise<void>;
  /** `GET /containers/{id}/changes`, sorted by path. */
  changes(ref: string, signal: AbortSignal): Promise<FilesystemChange[]>;
}

export function bindContainerFiles(ctx: ContainerContext): ContainerFiles {
  const idOf = (ref: string) => ctx.store.resolve(ref).id;
  const container = { view: 'container' } as const;
  return {
    statPath: (ref, path) =>
      withRootfs(ctx, idOf(ref), container, ({ root }) => statPath(root, path, { container: ref })),
    archivePath: (ref, path, signal, send) =>
      withRootfs(ctx, idOf(ref), container, async ({ record, root }) => {
        const found = await archivePath(root, path, { container: ref, signal });
        publishContainerEvent(ctx, record, 'archive-path', { path });
        await send(found.stat, found.tar);
      }),
    extractArchive: (ref, path, tar, options) =>
      withRootfs(ctx, idOf(ref), container, async ({ record, root }) => {
        if (record.hostConfig.ReadonlyRootfs) {
          throw forbidden('container rootfs is marked read-only');
        }
        const userName = record.config.User ?? '';
        const user =
          options.copyUIDGID && userName !== ''
            ? await resolveContainerUser(mountedRootfsReader(root), userName, [])
            : undefined;
        await extractArchive(root, path, tar, {
          noOverwriteDirNonDir: options.noOverwriteDirNonDir,
          copyUIDGID: options.copyUIDGID,
          user,
          container: ref,
          signal: options.signal,
        });
        publishContainerEvent(ctx, record, 'extract-to-dir', { path });
      }),
    exportRootfs: (ref, signal, send) =>
      withRootfs(ctx, idOf(ref), { view: 'layers' }, async ({ record, root }) => {
        publishContainerEvent(ctx, record, 'export');
        await send(exportRootfs(root, { signal }));
      }),
    changes: (ref, signal) =>
      withRootfs(ctx, idOf(ref), { view: 'none' }, (lease) => leaseChanges(lease, signal)),
  };
}
