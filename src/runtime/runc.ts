import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { conflict, hasErrno, internal, isMoorError, notFound, pathExists } from '../core/index.js';
import { runHostCommand } from '../sys/index.js';
import { releaseCreatedProcess } from './exec-fifo.js';
import { deleteStoppedState, liveInit } from './runc-state-file.js';

const SIGKILL = 9;

/** Where a created container's init waits to be let go (runc's state directory). */
const EXEC_FIFO = 'exec.fifo';

/** runc's view of a container (`runc state`). */
export interface RuncState {
  id: string;
  pid: number;
  /** 'creating' | 'created' | 'running' | 'paused' | 'stopped' */
  status: string;
  bundle: string;
}

/**
 * The OCI runtime's command line, for one state root. Every call is one `runc` process; the
 * monitor (conmon) runs `runc create` itself, so this is everything after create.
 */
export interface Runc {
  readonly binary: string;
  readonly root: string;
  start(id: string): Promise<void>;
  /** Whether the container was created and not yet let go (its init waits on the exec fifo). */
  awaitingStart(id: string): Promise<boolean>;
  /** Sends a signal to the init (or to every process with `all`). Conflict when not running. */
  kill(id: string, signal: number, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /**
   * Removes runc's state; `force` kills a running container first. Missing → no error. The
   * cgroups of a container that had its own PID namespace may go a moment later (see settle).
   */
  delete(id: string, force?: boolean): Promise<void>;
  /**
   * Finishes the cgroup removals a delete left for later: the container's (before it is
   * started again under the same id), or all of them (before moord stops, before a check).
   */
  settle(id?: string): Promise<void>;
  /** undefined when runc does not know the container. */
  state(id: string): Promise<RuncState | undefined>;
  /** Host pids of every process in the container. */
  pids(id: string): Promise<number[]>;
  /** Applies resource limits to a running container (`runc update -r -`). */
  update(id: string, resources: unknown): Promise<void>;
}

function runcError(err: unknown, id: string): unknown {
  if (!isMoorError(err, 'Internal')) return err;
  const text = err.message;
  if (/does not exist|not exist/.test(text)) return notFound(`No such container: ${id}`, err);
  if (/not running|container not running|process already finished/.test(text)) {
    return conflict(`Container ${id} is not running`, err);
  }
  if (/already paused|not paused/.test(text)) return conflict(text, err);
  return err;
}

/** How long a delete leaves a container's cgroups, so that its exit is answered first. */
const CGROUP_REMOVAL_DELAY_MS = 50;

interface PendingRemoval {
  timer: NodeJS.Timeout;
  remove: () => Promise<boolean>;
  done?: Promise<void>;
}

export function createRunc(options: { binary: string; root: string }): Runc {
  const { binary, root } = options;
  const pending = new Map<string, PendingRemoval>();
  /** Runs a pending removal now (or joins the run under way); a failure leaves the cgroups. */
  const settleOne = (id: string): Promise<void> => {
    const entry = pending.get(id);
    if (!entry) return Promise.resolve();
    clearTimeout(entry.timer);
    entry.done ??= entry
      .remove()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (pending.get(id) === entry) pending.delete(id);
      });
    return entry.done;
  };
  const later = (id: string) => (remove: () => Promise<boolean>) => {
    const timer = setTimeout(() => void settleOne(id), CGROUP_REMOVAL_DELAY_MS);
    timer.unref();
    pending.set(id, { timer, remove });
  };
  const run = async (args: string[], input?: string): Promise<string> => {
    try {
      return await runHostCommand(binary, ['--root', root, ...args], {
        packageName: 'runc',
        ...(input === undefined ? {} : { input }),
      });
    } catch (err) {
      throw runcError(err, args[args.length - 1] ?? '');
    }
  };
  return {
    binary,
    root,
    async start(id) {
      if (await releaseCreatedProcess(join(root, id, EXEC_FIFO))) return;
      await run(['start', id]);
    },
    awaitingStart: (id) => pathExists(join(root, id, EXEC_FIFO)),
    async kill(id, signal, all = false) {
      // `runc kill` signals the init it recorded; so does this, without a runc process. For
      // every process (`--all`), SIGKILL to the init of an own PID namespace is enough.
      const init = liveInit(join(root, id));
      const direct = init !== undefined && (!all || (signal === SIGKILL && init.ownPidNamespace));
      if (direct) {
        try {
          process.kill(init.pid, signal);
          return;
        } catch (err) {
          if (!hasErrno(err, 'ESRCH')) throw err;
        }
      }
      await run(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
    },
    async pause(id) {
      await run(['pause', id]);
    },
    async resume(id) {
      await run(['resume', id]);
    },
    async delete(id, force = false) {
      // runc keeps a container's state in <root>/<id>: without it there is nothing to delete,
      // and no runc process needs to be spawned to learn that.
      if (!existsSync(join(root, id))) return;
      await settleOne(id);
      if (await deleteStoppedState(join(root, id), later(id))) return;
      try {
        await run(['delete', ...(force ? ['--force'] : []), id]);
      } catch (err) {
        if (!isMoorError(err, 'NotFound')) throw err;
      }
    },
    async settle(id) {
      await (id === undefined ? Promise.all([...pending.keys()].map(settleOne)) : settleOne(id));
    },
    async state(id) {
      try {
        return JSON.parse(await run(['state', id])) as RuncState;
      } catch (err) {
        if (isMoorError(err, 'NotFound')) return undefined;
        throw err;
      }
    },
    async pids(id) {
      const out = await run(['ps', '--format', 'json', id]);
      const pids = JSON.parse(out) as unknown;
      if (!Array.isArray(pids)) throw internal(`runc ps ${id}: unexpected output`);
      return pids.filter((p): p is number => typeof p === 'number');
    },
    async update(id, resources) {
      await run(['update', '--resources', '-', id], JSON.stringify(resources));
    },
  };
}
