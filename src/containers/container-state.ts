import { conflict, internal, notModified, type MoorError } from '../core/index.js';
import type { ContainerRecord, ContainerState, ContainerStatus } from './container-record.js';

/*
 * The container state machine, pure: which verbs a state allows (with Docker's refusal for the
 * others: its message and its kind), and the transitions, each returning a new state.
 *
 * Docker keeps flags (Running, Paused, Restarting, ...) where moor keeps one status; Docker's
 * "Running" is true for running, paused and restarting containers, and its checks go by that
 * flag, so `isUp` is what most rules test. Where Docker answers a user's mistake with an
 * unclassified error (HTTP 500), the refusal is Internal, so moord answers the same status.
 */

export type StateVerb =
  | 'start'
  | 'stop'
  | 'kill'
  | 'pause'
  | 'unpause'
  | 'remove'
  | 'exec'
  | 'attach'
  | 'restart'
  | 'top'
  | 'resize'
  | 'update'
  | 'export'
  | 'commit';

export interface RefusalOptions {
  /** The container as the client named it (name or ID prefix); some messages quote it. */
  ref?: string;
  /** `remove` only: kill a running container first. */
  force?: boolean;
}

/** True in the states Docker counts as running: running, paused, restarting. */
export function isUp(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}

const notRunning = (id: string) => conflict(`container ${id} is not running`);
const isRestarting = (id: string) =>
  conflict(`Container ${id} is restarting, wait until the container is running`);
const markedForRemoval = (status: ContainerStatus) => status === 'removing' || status === 'dead';

type Rule = (record: ContainerRecord, ref: string, force: boolean) => MoorError | undefined;

const RULES: Record<StateVerb, Rule> = {
  start({ state }) {
    if (state.status === 'paused') {
      return conflict('cannot start a paused container, try unpause instead');
    }
    if (isUp(state.status)) return notModified('container is already running');
    if (markedForRemoval(state.status)) {
      return conflict('container is marked for removal and cannot be started');
    }
    return undefined;
  },
  stop({ state }) {
    return isUp(state.status) ? undefined : notModified('container is already stopped');
  },
  kill({ id, state }) {
    return isUp(state.status) ? undefined : notRunning(id);
  },
  pause({ id, state }) {
    if (!isUp(state.status)) return notRunning(id);
    if (state.status === 'paused') return conflict(`Container ${id} is already paused`);
    if (state.status === 'restarting') return isRestarting(id);
    return undefined;
  },
  unpause({ id, state }) {
    return state.status === 'paused' ? undefined : internal(`Container ${id} is not paused`);
  },
  remove({ state }, ref, force) {
    if (state.status === 'removing') {
      return conflict(`removal of container ${ref} is already in progress`);
    }
    if (force || !isUp(state.status)) return undefined;
    const why =
      state.status === 'paused'
        ? 'container is paused and must be unpaused first'
        : `container is ${state.status}: stop the container before removing or force remove`;
    return conflict(`cannot remove container ${JSON.stringify(ref)}: ${why}`);
  },
  exec({ id, state }, ref) {
    if (!isUp(state.status)) return notRunning(id);
    if (state.status === 'paused') {
      return conflict(`Container ${ref} is paused, unpause the container before exec`);
    }
    if (state.status === 'restarting') return isRestarting(id);
    return undefined;
  },
  attach({ state }, ref) {
    if (state.status === 'paused') {
      return conflict(`container ${ref} is paused, unpause the container before attach`);
    }
    if (state.status === 'restarting') {
      return conflict(`container ${ref} is restarting, wait until the container is running`);
    }
    return undefined;
  },
  restart({ state }, ref) {
    if (!markedForRemoval(state.status)) return undefined;
    return internal(
      `Cannot restart container ${ref}: container is marked for removal and cannot be started`,
    );
  },
  top({ id, state }) {
    if (!isUp(state.status)) return notRunning(id);
    return state.status === 'restarting' ? isRestarting(id) : undefined;
  },
  resize({ id, state }) {
    return isUp(state.status) ? undefined : notRunning(id);
  },
  update({ id, state }) {
    if (!markedForRemoval(state.status)) return undefined;
    return internal(
      `Cannot update container ${id}: container is marked for removal and cannot be "update"`,
    );
  },
  export({ id, state }) {
    if (state.status === 'dead') return conflict(`You cannot export container ${id} which is Dead`);
    if (state.status === 'removing') {
      return conflict(`You cannot export container ${id} which is being removed`);
    }
    return undefined;
  },
  commit({ id, state }) {
    if (state.status === 'dead') return conflict(`You cannot commit container ${id} which is Dead`);
    if (state.status === 'removing') {
      return conflict(`You cannot commit container ${id} which is being removed`);
    }
    return undefined;
  },
};

/**
 * Why `verb` may not act on the container now, as Docker words it, or undefined when it may.
 * `ref` defaults to the ID for exec (as Docker's exec start) and to the name elsewhere.
 */
export function stateRefusal(
  verb: StateVerb,
  record: ContainerRecord,
  options: RefusalOptions = {},
): MoorError | undefined {
  const ref = options.ref ?? (verb === 'exec' ? record.id : record.name);
  return RULES[verb](record, ref, options.force ?? false);
}

function check(verb: StateVerb, record: ContainerRecord, options?: RefusalOptions): void {
  const refusal = stateRefusal(verb, record, options);
  if (refusal) throw refusal;
}

// Each `canX` throws the refusal of `stateRefusal` and returns when the verb may go ahead.

/** NotModified when already running (or restarting); Conflict when paused, removing or dead. */
export const canStart = (record: ContainerRecord): void => check('start', record);
/** NotModified unless running, paused or restarting. */
export const canStop = (record: ContainerRecord): void => check('stop', record);
/** Conflict `container ID is not running` (the API adds `cannot kill container: REF: `). */
export const canKill = (record: ContainerRecord): void => check('kill', record);
export const canPause = (record: ContainerRecord): void => check('pause', record);
/** Internal (Docker answers 500) `Container ID is not paused`. */
export const canUnpause = (record: ContainerRecord): void => check('unpause', record);
export const canRemove = (record: ContainerRecord, force: boolean, ref?: string): void =>
  check('remove', record, { force, ...(ref === undefined ? {} : { ref }) });
/** Exec create quotes the client's `ref` when paused; exec start passes none (the ID). */
export const canExec = (record: ContainerRecord, ref?: string): void =>
  check('exec', record, ref === undefined ? {} : { ref });
export const canAttach = (record: ContainerRecord, ref?: string): void =>
  check('attach', record, ref === undefined ? {} : { ref });
export const canRestart = (record: ContainerRecord, ref?: string): void =>
  check('restart', record, ref === undefined ? {} : { ref });
export const canTop = (record: ContainerRecord): void => check('top', record);
export const canResize = (record: ContainerRecord): void => check('resize', record);
export const canUpdate = (record: ContainerRecord): void => check('update', record);
export const canExport = (record: ContainerRecord): void => check('export', record);
export const canCommit = (record: ContainerRecord): void => check('commit', record);

// Transitions. Each returns a new state and leaves its input alone.

/**
 * The process runs: Docker clears the last error, exit code and OOM flag, keeps FinishedAt, and
 * resets a health state to `starting` with no failing streak (its log is kept). A start by the
 * user also clears `manuallyStopped`, and so does a restart by policy (which only follows runs
 * that were not stopped by a user).
 */
export function markRunning(
  state: ContainerState,
  pid: number,
  monitorPid: number,
  startedAt: string,
): ContainerState {
  const next: ContainerState = {
    ...state,
    status: 'running',
    pid,
    monitorPid,
    exitCode: 0,
    error: '',
    startedAt,
    oomKilled: false,
    manuallyStopped: false,
  };
  if (state.health) next.health = { ...state.health, status: 'starting', failingStreak: 0 };
  return next;
}

/** The process ended (from running, paused or restarting); health is kept as it was. */
export function markExited(
  state: ContainerState,
  exitCode: number,
  finishedAt: string,
  oomKilled: boolean,
): ContainerState {
  return { ...state, status: 'exited', pid: 0, monitorPid: 0, exitCode, finishedAt, oomKilled };
}

export function markPaused(state: ContainerState): ContainerState {
  return { ...state, status: 'paused' };
}

export function markUnpaused(state: ContainerState): ContainerState {
  return { ...state, status: 'running' };
}

/**
 * Waiting out the restart policy's delay. Call it on the exited state: the exit code and
 * FinishedAt it carries are what `Restarting (1) 2 seconds ago` shows.
 */
export function markRestarting(state: ContainerState): ContainerState {
  return { ...state, status: 'restarting', pid: 0, monitorPid: 0 };
}

/** Being removed: `Removal In Progress` until the record is gone (or marked dead). */
export function markRemoving(state: ContainerState): ContainerState {
  return { ...state, status: 'removing' };
}

/** Removal failed half-way: nothing may start it again; a later remove finishes the job. */
export function markDead(state: ContainerState): ContainerState {
  return { ...state, status: 'dead', pid: 0, monitorPid: 0 };
}
