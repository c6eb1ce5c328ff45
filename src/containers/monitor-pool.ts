import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';

import { prepareMonitor } from '../runtime/index.js';
import type { ContainerContext, PooledMonitor } from './container-context.js';
import { containerPaths } from './container-paths.js';
import { endPreparedMonitor, monitorSpecFor, monitorStdioOf } from './prepared-start.js';

/** How long after a take the pool starts its next monitor: not while the taker's start runs. */
const REFILL_DELAY_MS = 100;

/** The stdio of the pool's monitor: the usual run's (no terminal, no stdin). */
const POOLED_STDIO = monitorStdioOf({});

/**
 * Keeps one monitor (conmon) started ahead for the next container, waiting at its start pipe
 * in its bundle: moord picks container ids, so the next one is known before its create comes.
 * A create whose process uses no terminal and no stdin (`docker run` without `-i`/`-t`) takes
 * it (takePooledMonitor) and need not wait for a conmon to load; the next one is started a
 * moment later. A moord that dies leaves it nothing to run: conmon ends at its closed start
 * pipe, and the next moord removes its directory and bundle, which no record knows.
 */
export function fillMonitorPool(ctx: ContainerContext): void {
  const pool = ctx.monitorPool;
  if (pool.closed || pool.ready || pool.refill) return;
  const id = randomBytes(32).toString('hex');
  const paths = containerPaths(ctx.dirs, id, ctx.driver);
  try {
    // conmon opens its log (in the container's directory) before it waits.
    mkdirSync(paths.dir, { mode: 0o710 });
    mkdirSync(paths.bundle, { recursive: true, mode: 0o700 });
  } catch (err) {
    ctx.logger.warn('starting a monitor ahead failed', { error: (err as Error).message });
    return;
  }
  const monitor = prepareMonitor(monitorSpecFor(ctx, id, paths, POOLED_STDIO));
  monitor.catch(() => undefined);
  pool.ready = { id, monitor };
}

/**
 * The pool's monitor, for a new container with this config (its id is the container's), if
 * its stdio fits; the pool starts another a moment later. Give it back (returnPooledMonitor)
 * if the create fails before the container has it.
 */
export function takePooledMonitor(
  ctx: ContainerContext,
  config: { Tty?: boolean; OpenStdin?: boolean; StdinOnce?: boolean },
): PooledMonitor | undefined {
  const pool = ctx.monitorPool;
  const stdio = monitorStdioOf(config);
  const fits =
    stdio.terminal === POOLED_STDIO.terminal &&
    stdio.stdin === POOLED_STDIO.stdin &&
    stdio.leaveStdinOpen === POOLED_STDIO.leaveStdinOpen;
  const taken = pool.ready;
  if (!fits || !taken) return undefined;
  pool.ready = undefined;
  pool.refill = setTimeout(() => {
    pool.refill = undefined;
    fillMonitorPool(ctx);
  }, REFILL_DELAY_MS);
  pool.refill.unref();
  return taken;
}

/** Puts back a monitor no container took: it waits for the next create, or ends. */
export function returnPooledMonitor(ctx: ContainerContext, pooled: PooledMonitor): void {
  const pool = ctx.monitorPool;
  if (!pool.closed && !pool.ready) {
    pool.ready = pooled;
    return;
  }
  endPooledMonitor(ctx, pooled);
}

/** Ends the pool's monitor and starts no other (moord stops). */
export function drainMonitorPool(ctx: ContainerContext): void {
  const pool = ctx.monitorPool;
  pool.closed = true;
  clearTimeout(pool.refill);
  pool.refill = undefined;
  if (pool.ready) endPooledMonitor(ctx, pool.ready);
  pool.ready = undefined;
}

function endPooledMonitor(ctx: ContainerContext, pooled: PooledMonitor): void {
  endPreparedMonitor(pooled.monitor);
  const paths = containerPaths(ctx.dirs, pooled.id, ctx.driver);
  rmSync(paths.bundle, { recursive: true, force: true });
  rmSync(paths.dir, { recursive: true, force: true });
}
