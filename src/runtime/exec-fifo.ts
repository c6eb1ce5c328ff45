import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';

import { hasErrno, internal } from '../core/index.js';

/** How long a release waits for a created init that has not opened its fifo yet. */
const DEFAULT_WAIT_MS = 10_000;

/**
 * Does what `runc start` does for a created container, without a runc process. The created
 * init opens `exec.fifo` for writing, which blocks until the fifo has a reader, then writes one
 * byte and execs the user's process; removing the fifo marks the container running in runc's
 * state. This relies on runc's state layout (stable since runc 1.0); when the fifo is not there
 * it returns false and the caller runs `runc start`.
 *
 * The fifo is opened without waiting for a writer (O_NONBLOCK), at once on the main thread: the
 * init, usually waiting in its open already, goes on that moment rather than after a trip
 * through the thread pool. The init's byte is then read from that same descriptor — a second,
 * blocking open could miss an init that has written and exec'd meanwhile, and wait forever. The
 * descriptor stays open until the byte is read, so the init's write always finds a reader.
 * An init that never shows up within `waitMs` (it died before the start) is an error.
 */
export async function releaseCreatedProcess(
  fifo: string,
  waitMs = DEFAULT_WAIT_MS,
): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
  try {
    const byte = Buffer.alloc(1);
    const deadline = Date.now() + waitMs;
    // EAGAIN: the init has the fifo open and its byte is on the way; 0: it has not opened the
    // fifo yet (or never will). Either way, look again in a moment.
    while (!readByte(fd, byte)) {
      if (Date.now() > deadline) {
        throw internal('the container process exited before it was started');
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    try {
      unlinkSync(fifo);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

/** One non-blocking read: true once the byte is there. */
function readByte(fd: number, buffer: Buffer): boolean {
  try {
    return readSync(fd, buffer, 0, 1, null) === 1;
  } catch (err) {
    if (hasErrno(err, 'EAGAIN')) return false;
    throw err;
  }
}
