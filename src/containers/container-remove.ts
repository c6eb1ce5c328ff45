import { rmSync } from 'node:fs';

import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';
import { canRemove } from './container-state.js';
import { stopLiveParts } from './container-exit.js';
import { killContainer, waitForExit } from './container-stop.js';
import { unmountRootfs } from './rootfs-mount.js';
import { releaseMounts } from './container-mounts.js';
import { publishContainerEvent } from './container-event.js';
import { cancelPreparedStart } from './prepared-start.js';
import { forgetCreatedAhead } from './create-ahead.js';

/**
 * Docker's rm: a running container needs `force` (then it is killed first). The record goes
 * first, so a crash half way leaves a directory without a record, which the store removes at
 * start; then the runtime's state, the mount and the files.
 */
export async function removeContainer(
  ctx: ContainerContext,
  id: string,
  options: { force: boolean; volumes?: boolean },
): Promise<void> {
  const record = ctx.store.get(id);
  if (!record) return;
  canRemove(record, options.force);
  const live = ctx.liveOf(id);
  if (live.restartTimer) {
    clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
  }
  if (record.state.status === 'running' || record.state.status === 'paused') {
    if (record.state.status === 'paused') await ctx.runc.resume(id).catch(() => undefined);
    await killContainer(ctx, id, 'SIGKILL').catch(() => undefined);
    await waitForExit(ctx, id, 10_000);
  }
  await ctx.locks.run(id, async () => {
    const current = ctx.store.get(id);
    if (current) await discardContainer(ctx, current, { volumes: options.volumes === true });
  });
  ctx.eventsOf(id).emit('removed');
  ctx.lifecycle.forget(id);
}

/**
 * Deletes a stopped container: what runs beside it, the runtime's state, a host mount, its
 * bundle and exit file, then its record (if the store still has it) and files, and its
 * references to volumes (its anonymous volumes with `volumes`). Call under the
 * container's lock.
 */
export async function discardContainer(
  ctx: ContainerContext,
  record: ContainerRecord,
  options: { volumes: boolean },
): Promise<void> {
  const { id } = record;
  const paths = ctx.pathsOf(record);
  cancelPreparedStart(ctx, id);
  // A process created ahead goes with the runtime's state below.
  await forgetCreatedAhead(ctx, id);
  await stopLiveParts(ctx, id);
  ctx.networks?.leave(id);
  await ctx.networks?.unpublish(id);
  await releaseMounts(ctx, id);
  await ctx.runc.delete(id, true);
  await unmountRootfs(ctx, paths);
  // A few small files on the exec root (a tmpfs on a usual host): removed at once.
  rmSync(paths.bundle, { recursive: true, force: true });
  rmSync(paths.exitFile, { force: true });
  ctx.store.delete(id);
  publishContainerEvent(ctx, record, 'destroy');
  // Anonymous volumes go with `rm -v` and --rm; named ones stay.
  await ctx.volumes?.forget(id, { removeAnonymous: options.volumes });
  ctx.live.delete(id);
  for (const [execId, session] of ctx.execs) {
    if (session.containerId === id) ctx.execs.delete(execId);
  }
}
