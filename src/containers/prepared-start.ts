import { mkdirSync } from 'node:fs';

import {
  type MonitorSpec,
  type PreparedMonitor,
  launchMonitor,
  prepareMonitor,
} from '../runtime/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord } from './container-record.js';

/** How long a monitor started ahead waits for its container's start before it is ended. */
const PREPARED_START_MS = 30_000;

/** How a container's process uses its monitor's stdio (from its config). */
export interface MonitorStdio {
  terminal: boolean;
  stdin: boolean;
  leaveStdinOpen: boolean;
}

/** A container config's stdio, as its monitor runs it. */
export function monitorStdioOf(config: {
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
}): MonitorStdio {
  return {
    terminal: config.Tty === true,
    stdin: config.OpenStdin === true,
    // As Docker: the end of the attached input closes stdin only for StdinOnce without a
    // TTY; a terminal stays usable after a detach.
    leaveStdinOpen: config.OpenStdin === true && (config.StdinOnce !== true || config.Tty === true),
  };
}

/** The monitor (conmon) of a container's run: everything it needs is known from create on. */
export function monitorSpecOf(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
): MonitorSpec {
  return monitorSpecFor(ctx, record.id, paths, monitorStdioOf(record.config));
}

/** The monitor of container `id`, before it has a record (monitor-pool.ts). */
export function monitorSpecFor(
  ctx: ContainerContext,
  id: string,
  paths: ContainerPaths,
  stdio: MonitorStdio,
): MonitorSpec {
  return {
    id,
    uuid: paths.uuid,
    bundle: paths.bundle,
    logPath: paths.monitorLog,
    exitDir: ctx.dirs.exits,
    persistDir: paths.persist,
    socketDir: ctx.dirs.sockets,
    pidFile: paths.pidFile,
    monitorPidFile: paths.monitorPidFile,
    ...stdio,
    runtime: { binary: ctx.runc.binary, root: ctx.runc.root },
  };
}

/**
 * Starts the monitor of a new container's first start ahead, in its (empty) bundle: it loads
 * while the client makes its next requests (the docker CLI attaches and waits between create
 * and start), and waits at its start pipe. Unused, it is ended after a while, at a remove or
 * when moord stops; if moord dies instead it finds no config.json and ends by itself.
 * `pooled`: the monitor the pool started for this container's id, already in its bundle.
 */
export function prepareFirstStart(
  ctx: ContainerContext,
  record: ContainerRecord,
  pooled?: Promise<PreparedMonitor>,
): void {
  const paths = ctx.pathsOf(record);
  let monitor = pooled;
  if (!monitor) {
    try {
      mkdirSync(paths.bundle, { recursive: true, mode: 0o700 });
    } catch {
      return; // the start makes it, and starts its monitor then
    }
    monitor = prepareMonitor(monitorSpecOf(ctx, record, paths));
    monitor.catch(() => undefined);
  }
  const timer = setTimeout(() => cancelPreparedStart(ctx, record.id), PREPARED_START_MS);
  timer.unref();
  ctx.liveOf(record.id).preparedStart = { monitor, timer };
}

/** Ends a monitor started ahead that no start took. */
export function cancelPreparedStart(ctx: ContainerContext, id: string): void {
  endPreparedMonitor(takePreparedStart(ctx, id));
}

/** Ends a monitor started ahead (taken, but not let go), if there is one. */
export function endPreparedMonitor(monitor: Promise<PreparedMonitor> | undefined): void {
  void monitor?.then(
    (m) => m.cancel(),
    () => undefined,
  );
}

/** The monitor started ahead for this container, for its start to use (once). */
export function takePreparedStart(
  ctx: ContainerContext,
  id: string,
): Promise<PreparedMonitor> | undefined {
  const live = ctx.live.get(id);
  const prepared = live?.preparedStart;
  if (!live || !prepared) return undefined;
  live.preparedStart = undefined;
  clearTimeout(prepared.timer);
  return prepared.monitor;
}

/**
 * Starts the container's monitor: lets the one started ahead go on, or starts one now (also
 * when the one ahead could not be started, or is gone: it may have waited long in the pool).
 */
export async function startMonitor(
  spec: MonitorSpec,
  prepared: Promise<PreparedMonitor> | undefined,
): ReturnType<typeof launchMonitor> {
  const ahead = await prepared?.catch(() => undefined);
  if (ahead?.waiting()) return ahead.start();
  ahead?.cancel();
  return launchMonitor(spec);
}
