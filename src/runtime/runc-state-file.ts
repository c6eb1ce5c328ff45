import { readFileSync, rmSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';

/** The parts of runc's `<root>/<id>/state.json` that deleting a stopped container needs. */
interface RuncStateFile {
  init_process_pid?: unknown;
  init_process_start?: unknown;
  cgroup_paths?: unknown;
  config?: { namespaces?: Array<{ type?: unknown; path?: unknown }> };
}

/*
 * runc's state is a few small files on the exec root (a tmpfs on a usual host), read and
 * removed at once on the way to answering a container's exit: each round trip through the
 * thread pool would cost more than the work.
 */

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined if no such process. */
function processStartTime(pid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ESRCH')) return undefined;
    throw err;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count after its end.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/**
 * Removes an empty cgroup directory; false when it still holds processes (EBUSY) after
 * `attempts` tries `pauseMs` apart.
 */
async function removeCgroup(path: string, attempts = 3, pauseMs = 2): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await rmdir(path);
      return true;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return true;
      if (!hasErrno(err, 'EBUSY')) throw err;
      // The kernel lets a cgroup go a moment after its last process was reaped.
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  return false;
}

/** Removes cgroup directories; false when one of them still holds processes. */
async function removeCgroups(paths: readonly string[], attempts?: number, pauseMs?: number) {
  const removed = await Promise.all(paths.map((p) => removeCgroup(p, attempts, pauseMs)));
  return !removed.includes(false);
}

/** runc's state file of a container, or undefined when there is none (or it is unreadable). */
function readStateFile(stateDir: string): RuncStateFile | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as RuncStateFile;
  } catch (err) {
    if (hasErrno(err, 'ENOENT') || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Whether the state's init process is alive: its pid with the start time runc recorded. */
function initAlive(state: RuncStateFile): boolean {
  const pid = state.init_process_pid;
  if (typeof pid !== 'number') return false;
  const started = processStartTime(pid);
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
export function liveInit(stateDir: string): LiveInit | undefined {
  const state = readStateFile(stateDir);
  if (state === undefined || !initAlive(state)) return undefined;
  return { pid: state.init_process_pid as number, ownPidNamespace: ownPidNamespace(state) };
}

/** Whether runc made the container a PID namespace of its own (not joined one). */
function ownPidNamespace(state: RuncStateFile): boolean {
  return (state.config?.namespaces ?? []).some(
    (ns) => ns.type === 'NEWPID' && (ns.path === '' || ns.path === undefined),
  );
}

/**
 * Does what `runc delete` does for a container whose init has ended, without a runc process:
 * its cgroups are removed, then its state directory. This relies on runc's state file (stable
 * since runc 1.0); it returns false — and the caller runs `runc delete` — whenever the state
 * is not what it expects, the init is still alive, or a cgroup still holds processes.
 *
 * With `later`, a container whose init had a PID namespace of its own (the kernel ended every
 * process in it with the init, so its cgroups only wait to be emptied) loses its state
 * directory now — all a new start of the same id needs — and `later` gets the removal of its
 * cgroups, a few ms of rmdir on cgroup v1 that need not hold up the answer to the exit.
 */
export async function deleteStoppedState(
  stateDir: string,
  later?: (removeCgroups: () => Promise<boolean>) => void,
): Promise<boolean> {
  const state = readStateFile(stateDir);
  const paths = state?.cgroup_paths;
  if (state === undefined || typeof paths !== 'object' || paths === null) return false;
  if (typeof state.init_process_pid !== 'number' || initAlive(state)) return false;
  const cgroups = [...new Set(Object.values(paths as Record<string, unknown>))];
  if (
    !cgroups.every((p): p is string => typeof p === 'string' && p.startsWith('/sys/fs/cgroup/'))
  ) {
    return false;
  }
  if (later && ownPidNamespace(state)) {
    rmSync(stateDir, { recursive: true, force: true });
    // Processes being reaped keep a cgroup busy a moment: more patience in the background.
    later(() => removeCgroups(cgroups, 20, 5));
    return true;
  }
  if (!(await removeCgroups(cgroups))) return false;
  rmSync(stateDir, { recursive: true, force: true });
  return true;
}
