import { readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';

/** The parts of runc's `<root>/<id>/state.json` that deleting a stopped container needs. */
interface RuncStateFile {
  init_process_pid?: unknown;
  init_process_start?: unknown;
  cgroup_paths?: unknown;
  config?: { namespaces?: Array<{ type?: unknown; path?: unknown }> };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined if no such process. */
async function processStartTime(pid: number): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ESRCH')) return undefined;
    throw err;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count after its end.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** Removes an empty cgroup directory; false when it still holds processes (EBUSY). */
async function removeCgroup(path: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await rmdir(path);
      return true;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return true;
      if (!hasErrno(err, 'EBUSY')) throw err;
      // The kernel lets a cgroup go a moment after its last process was reaped.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  return false;
}

/** runc's state file of a container, or undefined when there is none (or it is unreadable). */
async function readStateFile(stateDir: string): Promise<RuncStateFile | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as RuncStateFile;
  } catch (err) {
    if (hasErrno(err, 'ENOENT') || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Whether the state's init process is alive: its pid with the start time runc recorded. */
async function initAlive(state: RuncStateFile): Promise<boolean> {
  const pid = state.init_process_pid;
  if (typeof pid !== 'number') return false;
  const started = await processStartTime(pid);
  return started !== undefined && started === String(state.init_process_start);
}

/** A container's init while it lives: its host pid, and whether it has a PID namespace. */
export interface LiveInit {
  pid: number;
  /** Its own PID namespace (not joined): the kernel kills every process there with the init. */
  ownPidNamespace: boolean;
}

/**
 * A container's init while it lives (the pid runc recorded, checked against its start time so
 * a reused pid is never taken for it); undefined otherwise.
 */
export async function liveInit(stateDir: string): Promise<LiveInit | undefined> {
  const state = await readStateFile(stateDir);
  if (state === undefined || !(await initAlive(state))) return undefined;
  const ownPidNamespace = (state.config?.namespaces ?? []).some(
    (ns) => ns.type === 'NEWPID' && (ns.path === '' || ns.path === undefined),
  );
  return { pid: state.init_process_pid as number, ownPidNamespace };
}

/**
 * Does what `runc delete` does for a container whose init has ended, without a runc process:
 * its cgroups are removed, then its state directory. This relies on runc's state file (stable
 * since runc 1.0); it returns false — and the caller runs `runc delete` — whenever the state
 * is not what it expects, the init is still alive, or a cgroup still holds processes.
 */
export async function deleteStoppedState(stateDir: string): Promise<boolean> {
  const state = await readStateFile(stateDir);
  const paths = state?.cgroup_paths;
  if (state === undefined || typeof paths !== 'object' || paths === null) return false;
  if (typeof state.init_process_pid !== 'number' || (await initAlive(state))) return false;
  const cgroups = [...new Set(Object.values(paths as Record<string, unknown>))];
  if (
    !cgroups.every((p): p is string => typeof p === 'string' && p.startsWith('/sys/fs/cgroup/'))
  ) {
    return false;
  }
  const removed = await Promise.all(cgroups.map(removeCgroup));
  if (removed.includes(false)) return false;
  await rm(stateDir, { recursive: true, force: true });
  return true;
}
