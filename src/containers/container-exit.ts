import { type FSWatcher, existsSync, readFileSync, rmSync, statSync, watch } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';
import { rfc3339Nano } from '../oci/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';
import { markExited } from './container-state.js';
import { unmountRootfs } from './rootfs-mount.js';
import { releaseMounts } from './container-mounts.js';
import { publishContainerEvent, publishNetworkEvents } from './container-event.js';

/**
 * The number a monitor wrote to a file (an exit code, a pid) and when it wrote it; undefined
 * when there is no such file. An unreadable number is NaN. These are a few bytes on the exec
 * root (a tmpfs on a usual host), on the way to answering a waiting client: read at once.
 */
export function readStampedNumber(path: string): { value: number; writtenNs: bigint } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const info = statSync(path, { bigint: true });
    return { value: Number.parseInt(text.trim(), 10), writtenNs: info.mtimeNs };
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function readExitFile(path: string): { code: number; at: string } | undefined {
  const written = readStampedNumber(path);
  if (!written) return undefined;
  const code = Number.isNaN(written.value) ? 255 : written.value;
  return { code, at: rfc3339Nano(written.writtenNs) };
}

/** Stops what runs beside a container's process: health checks, then the log pump (drained). */
export async function stopLiveParts(ctx: ContainerContext, id: string): Promise<void> {
  const live = ctx.liveOf(id);
  live.stopHealth?.();
  live.stopHealth = undefined;
  if (live.pump) {
    const pump = live.pump;
    live.pump = undefined;
    await pump.drain({ final: true });
    await pump.stop();
  }
}

/**
 * Records that a container's process ended: all of its output is converted into the log first,
 * then the runtime's state and the rootfs mount are released, the exit code and time (the exit
 * file's mtime, written by the monitor even while moord was down) are stored, and waiters are
 * told. Returns the stored record, or undefined when there was nothing to record — or when
 * `discard` removed an AutoRemove container instead of storing its exit.
 */
export async function recordExit(
  ctx: ContainerContext,
  id: string,
  fallback?: { code: number; at: string },
  discard?: (record: ContainerRecord) => Promise<void>,
): Promise<ContainerRecord | undefined> {
  const record = ctx.store.get(id);
  const paths = record ? ctx.pathsOf(record) : undefined;
  if (!record || !paths) {
    await rm(`${ctx.dirs.exits}/${id}`, { force: true });
    return undefined;
  }
  const status = record.state.status;
  if (status !== 'running' && status !== 'paused') return undefined;
  const exit = readExitFile(paths.exitFile) ?? fallback;
  if (!exit) return undefined;
  const oomKilled = existsSync(`${paths.persist}/oom`);
  await stopLiveParts(ctx, id);
  // Its interfaces went with its network namespace; its addresses are free again.
  // As dockerd: oom and die first, then the network and volume clean-up events.
  if (oomKilled) publishContainerEvent(ctx, record, 'oom');
  publishContainerEvent(ctx, record, 'die', { exitCode: String(exit.code) });
  publishNetworkEvents(ctx, id, record.state.networks ?? [], 'disconnect');
  ctx.networks?.leave(id);
  await ctx.networks?.unpublish(id);
  await releaseMounts(ctx, id);
  const exited = markExited(record.state, exit.code, exit.at, oomKilled);
  delete exited.networks;
  delete exited.ports;
  const updated: ContainerRecord = { ...record, state: exited };
  if (discard && record.hostConfig.AutoRemove) {
    // Docker's --rm: waiters learn the exit from the event; the record goes without being
    // stored as exited (a crash before the removal is handled as an exit while moord was down).
    ctx.eventsOf(id).emit('exit', exit.code, updated);
    await discard(record);
    return undefined;
  }
  await Promise.all([ctx.runc.delete(id, true), unmountRootfs(ctx, paths)]);
  // The bundle and the exit file are small files on the exec root: removed at once.
  rmSync(paths.bundle, { recursive: true, force: true });
  // The exit file goes only once the exit is stored: a crash in between loses nothing.
  await ctx.store.save(updated);
  rmSync(paths.exitFile, { force: true });
  ctx.eventsOf(id).emit('exit', exit.code, updated);
  return updated;
}

/**
 * Watches the exit directory: each file the monitors write there names a container whose
 * process ended. Existing files are handled at once (exits while moord was down).
 */
export async function watchExits(
  dir: string,
  onExit: (id: string) => void,
): Promise<{ close(): void }> {
  const watcher: FSWatcher = watch(dir, (_event, name) => {
    if (typeof name === 'string' && /^[a-f0-9]{64}$/.test(name)) onExit(name);
  });
  watcher.on('error', () => undefined);
  for (const name of await readdir(dir)) {
    if (/^[a-f0-9]{64}$/.test(name)) onExit(name);
  }
  return { close: () => watcher.close() };
}
