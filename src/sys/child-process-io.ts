/**
 * How a host command is started and its output gathered, whichever process starts it (moord
 * itself or the process launcher). Imports nothing but Node's own modules: the launcher uses it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

export interface ProcessOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CollectOptions {
  cwd?: string;
  /** Written to the command's stdin (which is closed afterwards). */
  input?: string | Buffer;
  /** Aborting kills the command (SIGTERM) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Runs a command to completion with its output collected. `result` rejects with the spawn
 * error (errno code kept) when the command never started; `child` is there to signal it.
 */
export function runCollecting(
  file: string,
  args: readonly string[],
  options: CollectOptions = {},
): { child: ChildProcess; result: Promise<ProcessOutput> } {
  const child = spawn(file, args, {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = new Promise<ProcessOutput>((resolve, reject) => {
    const { signal } = options;
    const onAbort = () => {
      child.kill('SIGTERM');
      reject(abortReason(signal as AbortSignal));
    };
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // The command may exit before reading all of its input; its exit status tells what happened.
    child.stdin.on('error', () => undefined);
    let spawned = false;
    let spawnError: Error | undefined;
    child.once('spawn', () => (spawned = true));
    // Only a command that never started is a failure; a kill that came too late is not.
    child.on('error', (err) => {
      if (!spawned) spawnError = err;
    });
    child.on('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (spawnError) {
        reject(spawnError);
        return;
      }
      resolve({
        code,
        signal: exitSignal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
  return { child, result };
}

/**
 * Starts a command in a session of its own, its stdio on /dev/null and a pipe on fd 3 whose
 * lines go to `onLine`, then `onEnd` once it is closed (by the command, or by destroying
 * `pipe`). With `startPipe`, fd 4 is a pipe the command waits on before it goes on (conmon's
 * start pipe): `go` writes to it and closes it. The caller learns of the start from `child`'s
 * `spawn` and `error` events.
 */
export function spawnWithSyncPipe(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; startPipe?: boolean },
  onLine: (line: string) => void,
  onEnd: () => void,
): { child: ChildProcess; pipe: Readable; start: Writable | undefined; go: () => void } {
  const { child, start, go } = spawnDetachedChild(file, args, options, 'pipe');
  const pipe = child.stdio[3] as Readable;
  pipe.on('error', () => undefined);
  const lines = createInterface({ input: pipe, crlfDelay: Infinity });
  lines.on('line', onLine);
  lines.on('close', onEnd);
  return { child, pipe, start, go };
}

/**
 * spawnWithSyncPipe, with a connection to moord's sync channel as fd 3 (see sync-channel.ts):
 * the command's lines go to moord, not through this process. The start pipe stays a pipe of
 * this process: the connection is non-blocking (shared with the command), and conmon's read of
 * its start pipe must wait.
 */
export function spawnWithSyncSocket(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; startPipe?: boolean },
  socket: Socket,
): { child: ChildProcess; start: Writable | undefined; go: () => void } {
  return spawnDetachedChild(file, args, options, socket);
}

function spawnDetachedChild(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; startPipe?: boolean },
  fd3: 'pipe' | Socket,
): { child: ChildProcess; start: Writable | undefined; go: () => void } {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'ignore', 'ignore', fd3, ...(options.startPipe ? ['pipe' as const] : [])],
    detached: true,
  });
  child.unref();
  const start = options.startPipe ? (child.stdio[4] as Writable) : undefined;
  start?.on('error', () => undefined);
  return { child, start, go: () => start?.end('0') };
}
