import { type FSWatcher, watch } from 'node:fs';

import { hasErrno } from '../core/index.js';

/**
 * Wakes a loop that waits for files in a directory to change: on an inotify event (fs.watch
 * of the directory, so files re-created under the same name are still seen), on `wake()`, or
 * after a poll interval at the latest — the fallback when events are missed (an inotify queue
 * that overflowed drops them) or watching is not possible (no inotify instances left,
 * directory not there yet).
 */
export interface FileWaker {
  /**
   * Resolves at the next event or `wake()` (at once if one came since the last wait) with
   * 'event', or with 'poll' when the poll interval passed without one.
   */
  wait(): Promise<'event' | 'poll'>;
  wake(): void;
  close(): void;
}

export interface FileWakerOptions {
  dir: string;
  /** The poll interval when the directory cannot be watched. */
  pollMs: number;
  /** The poll interval while it is watched (default pollMs): a safety net only. */
  watchedPollMs?: number;
  /** Which changed file names wake the loop (all when unset). */
  accept?: (name: string) => boolean;
  /** Whether a pending wait may keep the process alive (default true). */
  ref?: boolean;
}

export function createFileWaker(options: FileWakerOptions): FileWaker {
  const { dir, pollMs, accept } = options;
  let dirty = false;
  let release: (() => void) | undefined;
  let watcher: FSWatcher | undefined;

  const wake = () => {
    dirty = true;
    release?.();
  };
  try {
    watcher = watch(dir, { persistent: false }, (_event, changed) => {
      if (accept === undefined || changed === null || accept(changed)) wake();
    });
    // A watcher that fails (directory removed) leaves the poll to do the work.
    watcher.on('error', () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch (err) {
    if (!hasErrno(err, 'ENOENT', 'ENOSPC', 'EMFILE', 'EACCES', 'EPERM')) throw err;
  }

  return {
    wake,
    wait() {
      if (dirty) {
        dirty = false;
        return Promise.resolve('event');
      }
      return new Promise((resolve) => {
        const interval = watcher ? (options.watchedPollMs ?? pollMs) : pollMs;
        const timer = setTimeout(() => done('poll'), interval);
        if (options.ref === false) timer.unref();
        function done(reason: 'event' | 'poll') {
          clearTimeout(timer);
          release = undefined;
          dirty = false;
          resolve(reason);
        }
        release = () => done('event');
      });
    },
    close() {
      watcher?.close();
      watcher = undefined;
      release?.();
    },
  };
}
