import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

import { hasErrno, unavailable } from '../core/index.js';

/**
 * Feeds bytes to a container's stdin through its monitor's attach socket. conmon's socket is
 * SOCK_SEQPACKET, which Node cannot open, so a small `socat` process bridges a pipe to it.
 * Output that conmon copies to the socket is discarded: moord reads output from the log.
 * Ending the writable half-closes the socket; conmon then closes the process's stdin unless it
 * was started to leave stdin open.
 */
export interface StdinFeed {
  readonly input: Writable;
  /** Resolves when the bridge is gone (input ended, or the container's monitor closed it). */
  readonly closed: Promise<void>;
  close(): void;
}

export function openStdinFeed(socketPath: string): StdinFeed {
  const child = spawn('socat', ['-t', '0.2', '-', `UNIX-CONNECT:${socketPath},type=5`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const closed = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => {
      reject(
        hasErrno(err, 'ENOENT')
          ? unavailable('socat not found (install the socat package)', err)
          : err,
      );
    });
    child.once('close', () => resolve());
  });
  child.stdin.on('error', (err) => {
    // The bridge going away early shows in `closed`; a write after that has nowhere to go.
    if (!hasErrno(err, 'EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED')) child.kill('SIGTERM');
  });
  return {
    input: child.stdin,
    closed,
    close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
