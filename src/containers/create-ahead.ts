import { existsSync, rmSync } from 'node:fs';

import type { ContainerContext, CreatedAhead, CreatedProcess } from './container-context.js';
import type { ContainerRecord } from './container-record.js';
import { blkioDevicePaths } from './resource-checks.js';
import { takePreparedStart } from './prepared-start.js';
import { createProcess, undoStart } from './process-create.js';
import { volatileMarker } from './rootfs-mount.js';
import { isMonitor } from './start-adoption.js';

/** How long a process created ahead waits for its start before it is deleted. */
const CREATED_AHEAD_MS = 10_000;
/** At most this many processes wait created ahead at once (each is a runc init and a conmon). */
const MAX_CREATED_AHEAD = 4;
/** How long a discarded process's monitor is given to write its exit file and end. */
const MONITOR_END_MS = 2_000;

/**
 * Whether a container's start depends on nothing but its record and its image: no network to
 * join (`none`), no volume or bind to mount (a tmpfs is fine), no host devices looked up. Its
 * process can then be created before the start is asked for.
 */
function startDependsOnRecordOnly(ctx: ContainerContext, record: ContainerRecord): boolean {
  const host = record.hostConfig;
  return (
    ctx.driver !== 'vfs' &&
    host.NetworkMode === 'none' &&
    (record.mounts ?? []).every((m) => m.type === 'tmpfs') &&
    host.Privileged !== true &&
    (host.Devices ?? []).length === 0 &&
    blkioDevicePaths(host).length === 0
  );
}

/**
 * Creates the process of a new container's first start at its create, while its record is
 * stored: the runtime's `runc create` (the longest part of a start) then runs while the client
 * makes its next requests (the docker CLI attaches and waits before it starts), and the start
 * only lets the process go. Only for a container whose start depends on its record alone
 * (startDependsOnRecordOnly), a few at a time. Whatever would touch the container's runtime
 * state or files first waits for the creation (takeCreatedAhead, discardCreatedAhead,
 * forgetCreatedAhead).
 *
 * The process is the start's only while nothing changed: a start finds a record that is not the
 * one it was made from (any update, rename or connect stores a new one), or a file operation on
 * the container comes first, and the process is deleted and made again. Unused, it is deleted
 * after a while, and when moord stops. A moord that dies leaves it for the next one to delete:
 * as a created process no start took (start-adoption.ts), or, when the record was not stored
 * yet, with the bundle no record knows (open-containers.ts).
 */
export function createAhead(ctx: ContainerContext, record: ContainerRecord): void {
  const live = ctx.liveOf(record.id);
  if (!live.preparedStart || !startDependsOnRecordOnly(ctx, record)) return;
  let waiting = 0;
  for (const other of ctx.live.values()) if (other.createdAhead) waiting++;
  if (waiting >= MAX_CREATED_AHEAD) return;
  const entry: CreatedAhead = { record, process: Promise.resolve(undefined) };
  live.createdAhead = entry;
  entry.process = createNow(ctx, entry);
}

async function createNow(
  ctx: ContainerContext,
  entry: CreatedAhead,
): Promise<CreatedProcess | undefined> {
  const { record } = entry;
  const { id } = record;
  try {
    const paths = ctx.pathsOf(record);
    const prepared = takePreparedStart(ctx, id);
    const process = await createProcess(ctx, record, paths, prepared);
    entry.timer = setTimeout(() => {
      ctx.locks
        .run(id, async () => {
          if (ctx.live.get(id)?.createdAhead === entry) await discardCreatedAhead(ctx, id);
        })
        .catch(() => undefined);
    }, CREATED_AHEAD_MS);
    entry.timer.unref();
    return process;
  } catch (err) {
    // The start creates it again, and reports what fails then.
    await undoStart(ctx, id, record);
    ctx.logger.debug('creating a process ahead of its start failed', {
      id,
      error: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
}

/**
 * The process created ahead for this start, if it is still the start's to use (see
 * createAhead); one that is not is deleted first. Call under the container's lock.
 */
export async function takeCreatedAhead(
  ctx: ContainerContext,
  record: ContainerRecord,
): Promise<CreatedProcess | undefined> {
  const entry = ctx.live.get(record.id)?.createdAhead;
  const process = await entry?.process;
  if (!entry || !process) {
    await forgetCreatedAhead(ctx, record.id);
    return undefined;
  }
  // Its monitor writes an exit file if the process died meanwhile.
  const usable = entry.record === record && !existsSync(ctx.pathsOf(record).exitFile);
  if (!usable) {
    await discardCreatedAhead(ctx, record.id);
    return undefined;
  }
  await forgetCreatedAhead(ctx, record.id);
  return process;
}

/**
 * Forgets the process created ahead once its creation is over, for a caller that deletes the
 * container's runtime state itself. Call under the container's lock.
 */
export async function forgetCreatedAhead(ctx: ContainerContext, id: string): Promise<void> {
  const entry = ctx.live.get(id)?.createdAhead;
  if (!entry) return;
  await entry.process;
  clearTimeout(entry.timer);
  const live = ctx.live.get(id);
  if (live?.createdAhead === entry) live.createdAhead = undefined;
}

/**
 * Deletes the process created ahead, if there is one, and everything its creation made; the
 * container is then as its create left it. Waits for its monitor to record the end and go, so
 * that no exit file turns up later for a run that never was. Call under the container's lock.
 */
export async function discardCreatedAhead(ctx: ContainerContext, id: string): Promise<void> {
  const entry = ctx.live.get(id)?.createdAhead;
  const process = await entry?.process;
  await forgetCreatedAhead(ctx, id);
  if (!entry || !process) return;
  const { record } = entry;
  await undoStart(ctx, id, record);
  const deadline = Date.now() + MONITOR_END_MS;
  while (Date.now() < deadline && (await isMonitor(process.started.monitorPid, id))) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const paths = ctx.pathsOf(record);
  rmSync(paths.exitFile, { force: true });
  // Its overlay was mounted `volatile` (AutoRemove) in the process's mount namespace.
  rmSync(volatileMarker(paths), { recursive: true, force: true });
}
