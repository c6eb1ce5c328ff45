import { invalidArgument } from '../core/index.js';
import { isPlatformSignal, parseSignal } from '../oci/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';
import { publishContainerEvent } from './container-event.js';
import {
  canKill,
  canPause,
  canStop,
  canUnpause,
  markPaused,
  markUnpaused,
} from './container-state.js';

const SIGKILL = 9;

/** Resolves true when the container's exit has been recorded, false after `ms`. */
export function waitForExit(ctx: ContainerContext, id: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const record = ctx.store.get(id);
    if (!record || (record.state.status !== 'running' && record.state.status !== 'paused')) {
      resolve(true);
      return;
    }
    const events = ctx.eventsOf(id);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(
      () => {
        events.off('exit', onExit);
        resolve(false);
      },
      Math.max(0, ms),
    );
    events.once('exit', onExit);
  });
}

async function setManuallyStopped(ctx: ContainerContext, record: ContainerRecord): Promise<void> {
  if (record.state.manuallyStopped) return;
  await ctx.store.save({ ...record, state: { ...record.state, manuallyStopped: true } });
}

/** The signal a container stops with: the request's, its StopSignal, or SIGTERM. */
function stopSignalOf(record: ContainerRecord, requested: string | undefined): number {
  return parseSignal(requested || record.config.StopSignal || 'SIGTERM');
}

/**
 * Docker's stop: the stop signal, up to `timeout` seconds (the request's, the container's
 * StopTimeout, or the daemon default; -1 waits forever), then SIGKILL. A paused container is
 * thawed first so it can handle the signal. NotModified when it is not running.
 */
export async function stopContainer(
  ctx: ContainerContext,
  id: string,
  options: { signal?: string; timeout?: number },
): Promise<void> {
  const record = ctx.store.get(id);
  if (!record) return;
  const live = ctx.liveOf(id);
  if (record.state.status === 'restarting' && live.restartTimer) {
    clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    await ctx.store.save({
      ...record,
      state: { ...record.state, status: 'exited', manuallyStopped: true },
    });
    ctx.eventsOf(id).emit('exit', record.state.exitCode);
    return;
  }
  canStop(record);
  const signal = stopSignalOf(record, options.signal);
  const timeout = options.timeout ?? record.config.StopTimeout ?? ctx.defaults.stopTimeout;
  await ctx.locks.run(id, async () => {
    const current = ctx.store.get(id);
    if (!current) return;
    await setManuallyStopped(ctx, current);
    if (current.state.status === 'paused') await ctx.runc.resume(id).catch(() => undefined);
    publishContainerEvent(ctx, current, 'kill', { signal: String(signal) });
    await ctx.runc.kill(id, signal).catch(() => undefined);
  });
  const waitMs = timeout < 0 ? 2 ** 31 - 1 : timeout * 1000;
  if (!(await waitForExit(ctx, id, waitMs))) {
    publishContainerEvent(ctx, record, 'kill', { signal: String(SIGKILL) });
    await ctx.runc.kill(id, SIGKILL, true).catch(() => undefined);
    await waitForExit(ctx, id, 2 ** 31 - 1);
  }
  publishContainerEvent(ctx, record, 'stop');
}

/** Docker's kill: any signal to the init; Conflict when not running. */
export async function killContainer(
  ctx: ContainerContext,
  id: string,
  signalName: string | undefined,
  ref = id,
): Promise<void> {
  const signal = parseSignal(signalName || 'SIGKILL');
  await ctx.locks.run(id, async () => {
    const record = ctx.store.get(id);
    if (!record) return;
    canKill(record);
    if (!isPlatformSignal(signal)) {
      throw invalidArgument(
        `Cannot kill container: ${ref}: The linux daemon does not support signal ${signal}`,
      );
    }
    if (signal === SIGKILL || signal === 15) await setManuallyStopped(ctx, record);
    publishContainerEvent(ctx, record, 'kill', { signal: String(signal) });
    await ctx.runc.kill(id, signal, signal === SIGKILL);
  });
  if (signal === SIGKILL) await waitForExit(ctx, id, 10_000);
}

export async function pauseContainer(ctx: ContainerContext, id: string): Promise<void> {
  await ctx.locks.run(id, async () => {
    const record = ctx.store.get(id);
    if (!record) return;
    canPause(record);
    await ctx.runc.pause(id);
    await ctx.store.save({ ...record, state: markPaused(record.state) });
    publishContainerEvent(ctx, record, 'pause');
  });
}

export async function unpauseContainer(ctx: ContainerContext, id: string): Promise<void> {
  await ctx.locks.run(id, async () => {
    const record = ctx.store.get(id);
    if (!record) return;
    canUnpause(record);
    await ctx.runc.resume(id);
    await ctx.store.save({ ...record, state: markUnpaused(record.state) });
    publishContainerEvent(ctx, record, 'unpause');
  });
}
