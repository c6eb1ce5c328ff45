import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';

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
 * blocking open could miss an init that has written and exec'd meanwhile, and wait forever —
 * at once if it is there, else as the event loop sees it come (the descriptor watched as a
 * pipe). The descriptor stays open until the byte is read, so the init's write always finds a
 * reader. An init that closes the fifo without its byte, or never shows up within `waitMs`
 * (it died before the start), is an error.
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
  let read: boolean;
  try {
    read = readByte(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (read) closeSync(fd);
  else await byteFrom(fd, waitMs);
  try {
    unlinkSync(fifo);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  return true;
}

/** One non-blocking read: true once the byte is there (EAGAIN, or 0 with no writer: not yet). */
function readByte(fd: number): boolean {
  try {
    return readSync(fd, Buffer.alloc(1), 0, 1, null) === 1;
  } catch (err) {
    if (hasErrno(err, 'EAGAIN')) return false;
    throw err;
  }
}

/** Waits for the init's byte on the fifo's read end; the descriptor is closed after. */
function byteFrom(fd: number, waitMs: number): Promise<void> {
  const pipe = new Socket({ fd, readable: true, writable: false });
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer);
      pipe.destroy();
      if (err) reject(err);
      else resolve();
    };
    const exited = () => finish(internal('the container process exited before it was started'));
    const timer = setTimeout(exited, waitMs);
    pipe.once('data', () => finish());
    pipe.once('end', exited);
    pipe.once('error', (err) => finish(err));
  });
}
