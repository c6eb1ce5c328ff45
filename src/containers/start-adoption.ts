import { readFile, rm } from 'node:fs/promises';

import { hasErrno, pathExists } from '../core/index.js';
import { rfc3339Nano } from '../oci/index.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-record.js';
import { markRunning } from './container-state.js';
import { readStampedNumber } from './container-exit.js';

/** Whether `pid` is a live conmon process (not a recycled pid), for container `id` if given. */
export async function isMonitor(pid: number, id?: string): Promise<boolean> {
  if (pid <= 0) return false;
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return argv[0]?.endsWith('conmon') === true && (id === undefined || argv.includes(id));
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ESRCH')) return false;
    throw err;
  }
}

function readPid(path: string): { pid: number; writtenNs: bigint } | undefined {
  const written = readStampedNumber(path);
  return written && written.value > 0
    ? { pid: written.value, writtenNs: written.writtenNs }
    : undefined;
}

/**
 * A start moord did not live to record. The process is let go while its running state is
 * stored, so a moord that dies in between leaves a created or exited record beside a bundle
 * whose monitor runs — or ran and left its exit file. Such a container is stored as running
 * (started when runc wrote its pid) and returned, for the caller to follow like any running
 * one; its exit, if any, is then recorded as usual. A process that was created but never let
 * go is deleted, and the record left as it was. Failed starts remove their bundle, so they are
 * never taken for one of these.
 */
export async function adoptUnrecordedStart(
  ctx: ContainerContext,
  record: ContainerRecord,
): Promise<ContainerRecord | undefined> {
  const paths = ctx.pathsOf(record);
  const monitor = readPid(paths.monitorPidFile);
  const init = readPid(paths.pidFile);
  if (!monitor || !init) return undefined;
  if (await ctx.runc.awaitingStart(record.id)) {
    await ctx.runc.delete(record.id, true);
    await rm(paths.bundle, { recursive: true, force: true });
    return undefined;
  }
  const alive = await isMonitor(monitor.pid, record.id);
  if (!alive && !(await pathExists(paths.exitFile))) return undefined;
  const adopted: ContainerRecord = {
    ...record,
    state: markRunning(record.state, init.pid, monitor.pid, rfc3339Nano(init.writtenNs)),
  };
  await ctx.store.save(adopted);
  ctx.logger.warn('found a start that was not recorded: the container is running', {
    id: record.id,
  });
  return adopted;
}
