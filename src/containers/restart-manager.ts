import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';
import { markRestarting } from './container-state.js';
import { nextDelay, shouldRestart } from './restart-policy.js';

/**
 * Applies a container's restart policy after its process ended (or at daemon start): when the
 * policy says so, the container shows `Restarting` for Docker's back-off delay (100 ms doubling
 * to 1 min, reset after 10 s of running) and is then started again. Returns true when a restart
 * was scheduled.
 */
export async function scheduleRestart(
  ctx: ContainerContext,
  record: ContainerRecord,
  start: (id: string) => Promise<void>,
  daemonStarting = false,
): Promise<boolean> {
  if (ctx.shuttingDown) return false;
  const policy = record.hostConfig.RestartPolicy ?? { Name: 'no' };
  const restart = shouldRestart(policy, {
    exitCode: record.state.exitCode,
    manuallyStopped: record.state.manuallyStopped,
    restartCount: record.restartCount,
    daemonStarting,
  });
  if (!restart) return false;
  const live = ctx.liveOf(record.id);
  const ranFor = live.startedAtMs === undefined ? 0 : Date.now() - live.startedAtMs;
  const delay = daemonStarting ? 0 : nextDelay(live.lastDelayMs ?? 0, ranFor);
  live.lastDelayMs = delay;
  const restarting: ContainerRecord = {
    ...record,
    restartCount: daemonStarting ? record.restartCount : record.restartCount + 1,
    state: markRestarting(record.state),
  };
  await ctx.store.save(restarting);
  live.restartTimer = setTimeout(() => {
    live.restartTimer = undefined;
    const current = ctx.store.get(record.id);
    if (!current || current.state.status !== 'restarting') return;
    start(record.id).catch((err: unknown) => {
      ctx.logger.warn('restart failed', {
        id: record.id,
        error: err instanceof Error ? err.message : String(err),
      });
    });
  }, delay);
  return true;
}
