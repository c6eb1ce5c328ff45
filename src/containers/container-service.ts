import type {
  ContainerCreateRequest,
  ContainerUpdateRequest,
  EndpointConfig,
  ExecConfig,
} from '../api-types/index.js';
import { connectContainer, disconnectContainer } from './container-networks.js';
import { conflict, invalidArgument, isMoorError } from '../core/index.js';
import { resolveImage } from '../images/index.js';
import { type LogEntry, readContainerLogs } from '../logging/index.js';
import { resizeTerminal } from '../runtime/index.js';
import { type ProcessTable, processTable } from '../sys/index.js';
import { type ContainerView, treeSize, viewContainer } from './container-view.js';
import { type AttachEnd, type AttachIo, type AttachStreams, attachContainer } from './attach.js';
import type { ContainerContext } from './container-context.js';
import { type ContainerFiles, bindContainerFiles } from './container-files.js';
import { logConfigOf } from './container-config.js';
import { createContainer } from './container-create.js';
import { type ContainerFilters, filterContainers, pruneFilter } from './container-filters.js';
import { validateName } from './container-names.js';
import type { ContainerRecord } from './container-record.js';
import { removeContainer } from './container-remove.js';
import { updateContainer } from './container-update.js';
import { publishContainerEvent } from './container-event.js';
import { type StatsFrame, containerStats } from './container-stats.js';
import { startError } from './container-start.js';
import {
  killContainer,
  pauseContainer,
  stopContainer,
  unpauseContainer,
} from './container-stop.js';
import type { ExecSession } from './container-context.js';
import { createExec, execSocketPath, getExec, startExec } from './exec-session.js';
import type { Containers } from './open-containers.js';
import { pumpStdin } from './attach.js';
import { type PinnedLayer, commitContainerLayer } from './container-layer.js';
import { type CommitOptions, commitContainer } from './container-commit.js';
import type { Digest } from '../oci/index.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogsOptions {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Unix seconds, or a normalized time (see LogReadOptions). */
  since?: number | string;
  until?: number | string;
  tail?: number;
  signal: AbortSignal;
}

/** The container operations: what the API and other services call. */
export interface ContainerService extends ContainerFiles {
  ctx: ContainerContext;
  resolve(ref: string): ContainerRecord;
  create(
    request: ContainerCreateRequest,
    name?: string,
  ): Promise<{ id: string; warnings: string[] }>;
  start(ref: string): Promise<void>;
  stop(ref: string, options: { signal?: string; timeout?: number }): Promise<void>;
  restart(ref: string, options: { signal?: string; timeout?: number }): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  /** Waits as asked; `ready` is called once the waiter is registered. */
  wait(
    ref: string,
    condition: WaitCondition,
    signal: AbortSignal,
    ready?: () => void,
  ): Promise<{ exitCode: number; error?: string }>;
  rename(ref: string, name: string): Promise<void>;
  /** docker update: new limits and restart policy; returns dockerd's warnings. */
  update(ref: string, request: ContainerUpdateRequest): Promise<string[]>;
  /** Docker's stats samples (see containerStats). */
  stats(
    ref: string,
    options: { stream: boolean; oneShot: boolean; signal: AbortSignal },
  ): AsyncIterable<StatsFrame>;
  remove(ref: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void>;
  prune(filters: ContainerFilters): Promise<{ deleted: string[]; reclaimed: number }>;
  list(options: { all: boolean; limit?: number; filters: ContainerFilters }): ContainerRecord[];
  view(ref: string, options: { size: boolean }): Promise<ContainerView>;
  top(ref: string, psArgs: string): Promise<ProcessTable>;
  resize(ref: string, height: number, width: number): Promise<void>;
  logs(ref: string, options: LogsOptions): AsyncIterable<LogEntry>;
  attach(
    ref: string,
    streams: AttachStreams,
    detachKeys: readonly number[],
    io: AttachIo,
  ): Promise<AttachEnd>;
  execCreate(ref: string, config: ExecConfig): string;
  exec(execId: string): ExecSession;
  execStart(
    execId: string,
    options: { detach: boolean; detachKeys: readonly number[] },
    io?: AttachIo,
  ): Promise<void>;
  execResize(execId: string, height: number, width: number): Promise<void>;
  /**
   * The container's changes as a new layer on `parent` (its image's top chain id), for build
   * steps that record the image themselves; undefined when nothing changed. The layer stays
   * pinned until `unpin` (once an image holds it). See commitContainerLayer.
   */
  commitLayer(ref: string, parent: Digest | undefined): Promise<PinnedLayer | undefined>;
  /**
   * `docker commit` (and a builder's step): the container's changes as a new image on its
   * image, tagged with `options.reference` if given. Returns the new image's id. See
   * commitContainer and CommitOptions (`config` + `mergeContainerConfig: false` +
   * `containerConfig`/`createdBy` record a builder's step config as it is).
   */
  commit(ref: string, options: CommitOptions): Promise<Digest>;
  /** A container using the image (for rmi's conflict), if any. */
  containerUsing(imageId: string): string | undefined;
  counts(): { running: number; paused: number; stopped: number };
  /** `POST /networks/{id}/connect` and `/disconnect`. */
  connectNetwork(network: string, container: string, config: EndpointConfig): Promise<void>;
  disconnectNetwork(network: string, container: string): Promise<void>;
  close(): Promise<void>;
}

function exitedPromise(ctx: ContainerContext, id: string): Promise<void> {
  return new Promise((resolve) => {
    const status = ctx.store.get(id)?.state.status;
    if (status !== 'running' && status !== 'paused' && status !== 'restarting') resolve();
    else ctx.eventsOf(id).once('exit', () => resolve());
  });
}

export function bindContainerService(containers: Containers): ContainerService {
  const { ctx } = containers;
  const resolve = (ref: string) => ctx.store.resolve(ref);

  const service: ContainerService = {
    ctx,
    resolve,
    ...bindContainerFiles(ctx),
    create: (request, name) => createContainer(ctx, request, name),
    connectNetwork: (network, container, config) =>
      connectContainer(ctx, network, container, config),
    disconnectNetwork: (network, container) => disconnectContainer(ctx, network, container),
    async start(ref) {
      const { id } = resolve(ref);
      try {
        await containers.start(id);
      } catch (err) {
        // As Docker: a container that was to be removed on exit is removed when it cannot start.
        const record = ctx.store.get(id);
        if (record?.hostConfig.AutoRemove && record.state.status !== 'running') {
          await removeContainer(ctx, id, { force: true, volumes: true }).catch(() => undefined);
        }
        throw startError(err);
      }
    },
    async stop(ref, options) {
      await stopContainer(ctx, resolve(ref).id, options);
    },
    async restart(ref, options) {
      const { id } = resolve(ref);
      const status = ctx.store.get(id)?.state.status;
      const live = ctx.liveOf(id);
      live.manualRestart = true;
      try {
        if (status === 'running' || status === 'paused' || status === 'restarting') {
          await stopContainer(ctx, id, options);
        }
        await service.start(id);
      } finally {
        live.manualRestart = undefined;
      }
      const restarted = ctx.store.get(id);
      if (restarted) publishContainerEvent(ctx, restarted, 'restart');
    },
    kill: (ref, signal) => killContainer(ctx, resolve(ref).id, signal, ref),
    pause: (ref) => pauseContainer(ctx, resolve(ref).id),
    unpause: (ref) => unpauseContainer(ctx, resolve(ref).id),
    wait(ref, condition, signal, ready) {
      const record = resolve(ref);
      const events = ctx.eventsOf(record.id);
      return new Promise((done, fail) => {
        let last = record;
        let exited: ContainerRecord | undefined;
        const current = () => {
          last = exited ?? ctx.store.get(record.id) ?? last;
          return last;
        };
        // The record is gone by `removed`: remember the state of the last exit (given with
        // the event when the container is removed instead of stored as exited).
        const onExit = (_code?: number, record?: ContainerRecord) => {
          exited = record;
          current();
        };
        events.on('exit', onExit);
        const finish = () => {
          cleanup();
          const r = current();
          done({ exitCode: r.state.exitCode, ...(r.state.error ? { error: r.state.error } : {}) });
        };
        const onAbort = () => {
          cleanup();
          fail(conflict('wait cancelled'));
        };
        const event = condition === 'removed' ? 'removed' : 'exit';
        const cleanup = () => {
          events.off(event, finish);
          events.off('exit', onExit);
          signal.removeEventListener('abort', onAbort);
        };
        const status = current().state.status;
        if (
          condition === 'not-running' &&
          status !== 'running' &&
          status !== 'paused' &&
          status !== 'restarting'
        ) {
          ready?.();
          finish();
          return;
        }
        events.once(event, finish);
        signal.addEventListener('abort', onAbort, { once: true });
        ready?.();
      });
    },
    async rename(ref, name) {
      const record = resolve(ref);
      validateName(name);
      const newName = name.replace(/^\//, '');
      if (newName === record.name) {
        throw invalidArgument(`Renaming a container with the same name as its current name`);
      }
      await ctx.locks.run(record.id, async () => {
        ctx.store.reserveName(newName, record.id);
        const current = ctx.store.get(record.id) ?? record;
        try {
          await ctx.store.save({ ...current, name: newName });
        } catch (err) {
          ctx.store.releaseName(newName, record.id);
          throw err;
        }
        ctx.store.releaseName(record.name, record.id);
      });
      publishContainerEvent(ctx, { ...record, name: newName }, 'rename', {
        oldName: `/${record.name}`,
      });
    },
    update: (ref, request) => updateContainer(ctx, resolve(ref).id, request),
    stats: (ref, options) => containerStats(ctx, resolve(ref).id, options),
    async remove(ref, options) {
      if (options.link)
        throw invalidArgument('Conflict, cannot remove the default link name of the container');
      await removeContainer(ctx, resolve(ref).id, {
        force: options.force,
        volumes: options.volumes,
      });
    },
    async prune(filters) {
      const keep = pruneFilter(filters);
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const record of ctx.store.all()) {
        const status = record.state.status;
        if (status !== 'exited' && status !== 'created' && status !== 'dead') continue;
        if (!keep(record)) continue;
        // What goes is the writable layer (Docker's SizeRw).
        const size = record.driver === 'vfs' ? 0 : await treeSize(ctx.pathsOf(record).upper);
        await removeContainer(ctx, record.id, { force: false });
        deleted.push(record.id);
        reclaimed += size;
      }
      return { deleted, reclaimed };
    },
    list: (options) =>
      filterContainers(ctx.store.all(), {
        all: options.all,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        filters: options.filters,
        resolveImage: (name) => resolveImageId(ctx, name),
      }),
    view: (ref, options) => viewContainer(ctx, resolve(ref), options),
    async top(ref, psArgs) {
      const record = resolve(ref);
      if (record.state.status !== 'running' && record.state.status !== 'paused') {
        throw conflict(`Container ${record.id} is not running`);
      }
      const table = await processTable(psArgs, await ctx.runc.pids(record.id));
      publishContainerEvent(ctx, record, 'top');
      return table;
    },
    async resize(ref, height, width) {
      const record = resolve(ref);
      if (record.state.status !== 'running' && record.state.status !== 'paused') {
        throw conflict(`Container ${record.id} is not running`);
      }
      await resizeTerminal(ctx.pathsOf(record).bundle, height, width);
      publishContainerEvent(ctx, record, 'resize', {
        height: String(height),
        width: String(width),
      });
    },
    logs(ref, options) {
      const record = resolve(ref);
      return readContainerLogs({
        type: logConfigOf(record.hostConfig, ctx.defaults).Type,
        dir: ctx.pathsOf(record).dir,
        id: record.id,
        stdout: options.stdout,
        stderr: options.stderr,
        follow: options.follow,
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.until === undefined ? {} : { until: options.until }),
        ...(options.tail === undefined ? {} : { tail: options.tail }),
        signal: options.signal,
        done: exitedPromise(ctx, record.id),
      });
    },
    commitLayer: (ref, parent) => commitContainerLayer(ctx, resolve(ref).id, parent),
    commit: (ref, options) => commitContainer(ctx, resolve(ref).id, options),
    attach: (ref, streams, detachKeys, io) =>
      attachContainer(ctx, resolve(ref).id, streams, detachKeys, io),
    execCreate: (ref, config) => createExec(ctx, resolve(ref).id, config),
    exec: (execId) => getExec(ctx, execId),
    async execStart(execId, options, io) {
      const session = getExec(ctx, execId);
      const exited = new Promise<void>((done) => session.events.once('exit', () => done()));
      const created = new Promise<void>((done) => session.events.once('created', () => done()));
      await startExec(ctx, session, io?.output);
      if (options.detach || !io) return;
      const waits: Array<Promise<unknown>> = [exited];
      if (io.input && session.config.AttachStdin) {
        waits.push(
          pumpStdin({
            input: io.input,
            socketPath: () => execSocketPath(ctx, session),
            ready: created,
            detachKeys: options.detachKeys,
            signal: io.signal,
          }).then((how) => (how === 'detach' ? undefined : new Promise(() => undefined))),
        );
      }
      waits.push(new Promise((done) => io.signal.addEventListener('abort', done, { once: true })));
      await Promise.race(waits);
    },
    async execResize(execId, height, width) {
      const session = getExec(ctx, execId);
      if (!session.running) throw conflict(`Exec ${execId} is not running`);
      await resizeTerminal(session.paths.bundle, height, width);
    },
    containerUsing(imageId) {
      return ctx.store.all().find((r) => r.imageId === imageId)?.id;
    },
    counts() {
      let running = 0;
      let paused = 0;
      let stopped = 0;
      for (const r of ctx.store.all()) {
        if (r.state.status === 'paused') paused++;
        else if (r.state.status === 'running' || r.state.status === 'restarting') running++;
        else stopped++;
      }
      return { running, paused, stopped };
    },
    close: () => containers.close(),
  };
  return service;
}

function resolveImageId(ctx: ContainerContext, name: string): string | undefined {
  try {
    return resolveImage(ctx.images.images, ctx.images.refs, name).id;
  } catch (err) {
    if (isMoorError(err, 'NotFound')) return undefined;
    throw err;
  }
}
