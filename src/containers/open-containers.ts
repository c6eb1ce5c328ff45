import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { type Logger, unavailable } from '../core/index.js';
import type { Images } from '../images/index.js';
import { capabilitiesFromMask, createRunc } from '../runtime/index.js';
import {
  type CgroupLayout,
  boundingCapabilityMask,
  findExecutable,
  hostCpuTopology,
  spreadSubdirectories,
} from '../sys/index.js';
import type {
  ContainerContext,
  ContainerDefaults,
  ContainerNetworks,
  ContainerVolumes,
  LiveContainer,
} from './container-context.js';
import { KeyedLocks, LifecycleRegistry } from './container-events.js';
import { nowRfc3339Nano } from '../oci/index.js';
import { recordExit, watchExits } from './container-exit.js';
import { containerPaths, engineDirs } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';
import { openContainerStore } from './container-store.js';
import { ensureLogPump, startContainer } from './container-start.js';
import { discardContainer, removeContainer } from './container-remove.js';
import { cancelPreparedStart } from './prepared-start.js';
import { discardCreatedAhead } from './create-ahead.js';
import { drainMonitorPool, fillMonitorPool } from './monitor-pool.js';
import { scheduleRestart } from './restart-manager.js';
import { startHealthCheck } from './health-check.js';
import type { PublishEvent } from '../events/index.js';
import { reacquireMounts, volumeNamesOf } from './container-mounts.js';
import { adoptUnrecordedStart, isMonitor } from './start-adoption.js';

export interface OpenContainersOptions {
  dataRoot: string;
  execRoot: string;
  driver: string;
  images: Images;
  cgroups: CgroupLayout;
  logger: Logger;
  defaults: ContainerDefaults;
  runtimeBinary?: string;
  networks?: ContainerNetworks;
  volumes?: ContainerVolumes;
  publish?: PublishEvent;
}

export interface Containers {
  ctx: ContainerContext;
  /** Starts a container (the user's start and restarts share it). */
  start(id: string, internal?: boolean): Promise<void>;
  /** Stops following exits; running containers keep running. */
  close(): Promise<void>;
}

/**
 * Opens the container records and reconciles them with what runs: a container whose monitor
 * is alive keeps running (its log catches up from where the daemon left it); one that ended
 * while moord was down gets its exit code and time from the monitor's exit file (an AutoRemove
 * one is removed); one whose monitor vanished without a trace (a host reboot) is marked
 * exited. Then restart policies apply, as on Docker's daemon start.
 */
export async function openContainers(options: OpenContainersOptions): Promise<Containers> {
  const dirs = engineDirs(options.dataRoot, options.execRoot);
  for (const dir of [dirs.bundles, dirs.exits, dirs.sockets, dirs.runcRoot]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  const store = await openContainerStore(dirs.containers, options.logger);
  // Each container's directory in a block group of its own (see spreadSubdirectories).
  const spread = spreadSubdirectories(dirs.containers);
  const runtimeBinary = await findExecutable(options.runtimeBinary ?? 'runc');
  if (!runtimeBinary) throw unavailable('runc not found (install the runc package)');
  const lifecycle = new LifecycleRegistry();
  const live = new Map<string, LiveContainer>();
  const ctx: ContainerContext = {
    store,
    images: options.images,
    runc: createRunc({ binary: runtimeBinary, root: dirs.runcRoot }),
    runtimeBinary,
    availableCapabilities: capabilitiesFromMask(await boundingCapabilityMask()),
    dirs,
    driver: options.driver,
    cgroups: options.cgroups,
    hostResources: await hostCpuTopology(),
    logger: options.logger,
    defaults: options.defaults,
    locks: new KeyedLocks(),
    lifecycle,
    live,
    execs: new Map(),
    pathsOf: (record) => containerPaths(dirs, record.id, record.driver),
    eventsOf: (id) => lifecycle.of(id),
    liveOf(id) {
      let entry = live.get(id);
      if (!entry) {
        entry = {};
        live.set(id, entry);
      }
      return entry;
    },
    shuttingDown: false,
    monitorPool: {},
    networks: options.networks,
    volumes: options.volumes,
    publish: options.publish,
  };
  for (const record of store.all()) options.volumes?.restore(record.id, volumeNamesOf(record));
  // Exec sessions live in memory: the bundles of an earlier run are nobody's now (a process
  // still running there keeps its monitor's open files). A container's bundle without a
  // record is left by a create that did not finish: the process it may have created ahead
  // (create-ahead.ts) never started, and goes with it.
  for (const entry of await readdir(dirs.bundles)) {
    if (entry.startsWith('exec-')) {
      await rm(join(dirs.bundles, entry), { recursive: true, force: true });
    } else if (!store.get(entry)) {
      if (/^[a-f0-9]{64}$/.test(entry)) {
        await ctx.runc.delete(entry, true).catch((err: unknown) => {
          options.logger.warn('deleting the process of an unfinished create failed', {
            id: entry,
            error: err instanceof Error ? err.message : String(err),
          });
        });
      }
      await rm(join(dirs.bundles, entry), { recursive: true, force: true });
    }
  }

  const start = (id: string, internal = false): Promise<void> =>
    ctx.locks.run(id, () => startContainer(ctx, id, { internal }));

  // --rm: the container is gone for clients (and `wait` answers) before its runtime state and
  // files are deleted.
  const discard = async (exited: ContainerRecord): Promise<void> => {
    ctx.store.forget(exited.id);
    ctx.eventsOf(exited.id).emit('removed');
    ctx.lifecycle.forget(exited.id);
    await discardContainer(ctx, exited, { volumes: true });
  };

  const afterExit = async (id: string): Promise<void> => {
    let restarting = false;
    const record = await ctx.locks.run(id, () => {
      restarting = ctx.liveOf(id).manualRestart === true;
      return recordExit(ctx, id, undefined, restarting ? undefined : discard);
    });
    if (!record) return;
    if (await scheduleRestart(ctx, record, (cid) => start(cid, true))) return;
    if (record.hostConfig.AutoRemove && !restarting) {
      await removeContainer(ctx, id, { force: true, volumes: true });
    }
  };

  // Reconcile before following exits, so each container is looked at once.
  const revive: string[] = [];
  for (const stored of store.all()) {
    const adopted =
      stored.state.status === 'created' || stored.state.status === 'exited'
        ? await adoptUnrecordedStart(ctx, stored)
        : undefined;
    const record = adopted ?? stored;
    const status = record.state.status;
    if (status !== 'running' && status !== 'paused' && status !== 'restarting') {
      if (status !== 'exited' && status !== 'created') continue;
      // As dockerd at start: a stopped AutoRemove container is removed.
      if (status === 'exited' && record.hostConfig.AutoRemove) {
        await ctx.locks.run(record.id, () => discard(record));
        continue;
      }
      revive.push(record.id);
      continue;
    }
    const paths = ctx.pathsOf(record);
    if (status !== 'restarting' && (await isMonitor(record.state.monitorPid))) {
      ctx.networks?.restore(record.id, record.state.networks ?? []);
      const first = record.state.networks?.[0];
      if (first && record.state.ports) ctx.networks?.restorePorts(first, record.state.ports);
      await ensureLogPump(ctx, record, paths);
      await reacquireMounts(ctx, record);
      startHealthCheck(ctx, record);
      continue;
    }
    const exited = await ctx.locks.run(record.id, async () => {
      if (status === 'restarting') {
        await store.save({ ...record, state: { ...record.state, status: 'exited' } });
        return ctx.store.get(record.id);
      }
      return recordExit(ctx, record.id, { code: 255, at: nowRfc3339Nano() }, discard);
    });
    if (exited) revive.push(record.id);
  }
  const watcher = await watchExits(dirs.exits, (id) => {
    afterExit(id).catch((err: unknown) => {
      options.logger.error('handling a container exit failed', {
        id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    });
  });
  for (const id of revive) {
    const record = store.get(id);
    if (record) await scheduleRestart(ctx, record, (cid) => start(cid, true), true);
  }
  fillMonitorPool(ctx);
  if (!(await spread)) {
    options.logger.debug('container directories share their parent block group', {
      dir: dirs.containers,
    });
  }

  return {
    ctx,
    start,
    async close() {
      ctx.shuttingDown = true;
      drainMonitorPool(ctx);
      watcher.close();
      for (const [id, entry] of live) {
        cancelPreparedStart(ctx, id);
        if (entry.createdAhead) await ctx.locks.run(id, () => discardCreatedAhead(ctx, id));
        if (entry.restartTimer) clearTimeout(entry.restartTimer);
        entry.stopHealth?.();
        if (entry.pump) await entry.pump.stop();
        live.delete(id);
      }
      await ctx.runc.settle();
    },
  };
}
