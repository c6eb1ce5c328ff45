import { EventEmitter } from 'node:events';

/**
 * In-process notifications about one container's (or exec session's) lifecycle, for waiters
 * and attached streams: `created` (the monitor is up, stdin can be fed), `exit` (with the exit
 * code; all output is in the log by then), `start-failed` (the process never ran), `removed`. Published only after the state change
 * they announce has been stored.
 */
export class ContainerLifecycle extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

/** One lifecycle emitter per container id, made on first use. */
export class LifecycleRegistry {
  private readonly byId = new Map<string, ContainerLifecycle>();

  of(id: string): ContainerLifecycle {
    let events = this.byId.get(id);
    if (!events) {
      events = new ContainerLifecycle();
      this.byId.set(id, events);
    }
    return events;
  }

  forget(id: string): void {
    this.byId.delete(id);
  }
}

/** Serialises the operations on one container without serialising different containers. */
export class KeyedLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const tail = this.tails.get(key) ?? Promise.resolve();
    const result = tail.then(fn, fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return result;
  }
}
