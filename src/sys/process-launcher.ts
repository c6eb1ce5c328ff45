import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

import { internal } from '../core/index.js';
import {
  type CollectOptions,
  type ProcessOutput,
  abortReason,
  runCollecting,
  spawnWithSyncPipe,
} from './child-process-io.js';
import { type SyncChannel, openSyncChannel } from './sync-channel.js';
import {
  LAUNCHER_READY,
  type LauncherAnswer,
  type LauncherRequest,
  parseJsonLine,
} from './launcher-protocol.js';

/**
 * Starting host commands. By default a command is spawned from this process; once the daemon
 * starts the process launcher (launcher-main.ts), commands are started there instead, so that
 * moord's event loop never waits on a fork (spawn from a large heap costs milliseconds; see
 * ARCHITECTURE.md). Both paths behave alike: same errors (errno codes kept), same output.
 */

export type RunProcessOptions = CollectOptions;

/** The lines a detached command writes on its fd 3, until it closes it or `release()`. */
export interface SyncLines extends AsyncIterable<string> {
  release(): void;
  /** Lets a command started with a start pipe go on (a no-op without one). */
  go(): void;
  /** SIGKILLs the command while its fd 3 is read (before it daemonized: nothing is left). */
  kill(): void;
  /** Whether its fd 3 has closed (or was released): a command waiting at its start pipe died. */
  closed(): boolean;
}

type Handler = (answer: LauncherAnswer | undefined) => void;

interface Connection {
  pid: number | undefined;
  send(request: LauncherRequest): void;
  /** Calls `handler` with each answer to request `id`, and with undefined if the launcher dies. */
  listen(id: number, handler: Handler): void;
  forget(id: number): void;
  close(): void;
}

const LAUNCHER_MAIN = new URL('./launcher-main.js', import.meta.url).pathname;

let enabled = false;
let connection: Promise<Connection> | undefined;
let channel: SyncChannel | undefined;
let nextId = 1;

/**
 * Starts the process launcher; from then on commands start there. With `syncChannel` (a socket
 * path in a directory only root enters), detached commands report on fd 3 straight to this
 * process (see sync-channel.ts).
 */
export async function startProcessLauncher(options: { syncChannel?: string } = {}): Promise<void> {
  enabled = true;
  if (options.syncChannel !== undefined && !channel) {
    // Without it (a socket that cannot be made there), the lines come through the launcher.
    channel = await openSyncChannel(options.syncChannel).catch(() => undefined);
  }
  await launcher();
}

/** Ends the launcher (it exits when its stdin closes); commands start here again. */
export async function stopProcessLauncher(): Promise<void> {
  enabled = false;
  const current = connection;
  connection = undefined;
  (await current?.catch(() => undefined))?.close();
  channel?.close();
  channel = undefined;
}

/** The launcher's pid while it runs (for diagnostics and tests). */
export async function processLauncherPid(): Promise<number | undefined> {
  return (await connection?.catch(() => undefined))?.pid;
}

function launcher(): Promise<Connection> | undefined {
  if (!enabled) return undefined;
  if (!connection) {
    const connecting = connect();
    connection = connecting;
    // A launcher that cannot start is retried at the next command.
    connecting.catch(() => {
      if (connection === connecting) connection = undefined;
    });
  }
  return connection;
}

function connect(): Promise<Connection> {
  const child = spawn(process.execPath, [LAUNCHER_MAIN], {
    stdio: ['pipe', 'pipe', 'inherit'],
    // Its own process group: a ^C meant for moord does not end it; closing stdin does.
    detached: true,
  });
  const handlers = new Map<number, Handler>();
  const answers = child.stdout as Readable & { ref(): void; unref(): void };
  // The launcher keeps this process alive only while an answer is awaited.
  const self: Connection = {
    pid: child.pid,
    send: (request) => child.stdin?.write(`${JSON.stringify(request)}\n`),
    listen: (id, handler) => {
      handlers.set(id, handler);
      answers.ref();
    },
    forget: (id) => {
      handlers.delete(id);
      if (handlers.size === 0) answers.unref();
    },
    close: () => child.stdin?.end(),
  };
  child.stdin?.on('error', () => undefined);
  const connecting = new Promise<Connection>((resolve, reject) => {
    let ready = false;
    let ended = false;
    // The launcher is gone once it exits or its answers end, whichever is seen first.
    const gone = (why: string) => {
      if (ended) return;
      ended = true;
      if (connection === connecting) connection = undefined;
      if (!ready) reject(internal(`the process launcher exited (${why})`));
      for (const handler of handlers.values()) handler(undefined);
      handlers.clear();
    };
    const lines = createInterface({ input: answers, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!ready) {
        ready = line === LAUNCHER_READY;
        if (!ready) return;
        child.unref();
        if (handlers.size === 0) answers.unref();
        resolve(self);
        return;
      }
      const answer = parseJsonLine<LauncherAnswer>(line);
      if (answer) handlers.get(answer.id)?.(answer);
    });
    lines.on('close', () => gone('its output ended'));
    child.once('error', reject);
    child.once('exit', (code, signal) => gone(String(code ?? signal)));
  });
  return connecting;
}

function spawnError(answer: { code: string; message: string }): Error {
  return Object.assign(new Error(answer.message), { code: answer.code });
}

/** Runs a command to completion. Rejects with the spawn error when it cannot start. */
export async function runProcess(
  file: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessOutput> {
  const remote = launcher();
  if (!remote) return runCollecting(file, args, options).result;
  const conn = await remote;
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      conn.send({ op: 'kill', id, signal: 'SIGTERM' });
      reject(abortReason(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    conn.listen(id, (answer) => {
      if (answer?.type === 'line' || answer?.type === 'spawned' || answer?.type === 'end') return;
      conn.forget(id);
      signal?.removeEventListener('abort', onAbort);
      if (!answer) reject(internal(`the process launcher exited while running ${file}`));
      else if (answer.type === 'failed') reject(spawnError(answer));
      else
        resolve({
          code: answer.code,
          signal: answer.signal,
          stdout: answer.stdout,
          stderr: answer.stderr,
        });
    });
    const input = options.input;
    conn.send({
      op: 'run',
      id,
      file,
      args: [...args],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(input !== undefined && input.length > 0
        ? { input: Buffer.from(input).toString('base64') }
        : {}),
    });
  });
}

/**
 * Starts a command in a session of its own with its stdio on /dev/null, as the parent of
 * nothing here (a monitor that daemonizes). `env` is its whole environment: a command that
 * outlives moord inherits nothing of moord's. Resolves once it started, with the lines it
 * writes on fd 3; rejects with the spawn error when it cannot start. With `startPipe`, its
 * fd 4 is a pipe it waits on (conmon's start pipe) until `go()`; when moord goes away first,
 * the pipe closes and the command goes on.
 */
export async function spawnDetached(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; startPipe?: boolean },
): Promise<SyncLines> {
  const queue = lineQueue();
  const remote = launcher();
  if (!remote) {
    const { child, pipe, go } = spawnWithSyncPipe(
      file,
      args,
      options,
      (line) => queue.push(line),
      () => queue.end(),
    );
    await started(child);
    return Object.assign(queue.iterable, {
      release: () => {
        pipe.destroy();
        queue.end();
      },
      go,
      kill: () => child.kill('SIGKILL'),
      closed: queue.closed,
    });
  }
  const conn = await remote;
  const id = nextId++;
  // The lines come over the sync channel when there is one, else through the launcher.
  const direct = channel?.expect(
    (line) => queue.push(line),
    () => queue.end(),
  );
  await new Promise<void>((resolve, reject) => {
    conn.listen(id, (answer) => {
      if (!answer) {
        const gone = internal(`the process launcher exited while starting ${file}`);
        reject(gone);
        queue.end(gone);
        direct?.release();
      } else if (answer.type === 'spawned') {
        // With the channel, nothing more comes from the launcher for this command.
        if (direct) conn.forget(id);
        resolve();
      } else if (answer.type === 'failed') {
        conn.forget(id);
        direct?.release();
        reject(spawnError(answer));
      } else if (answer.type === 'line') queue.push(answer.line);
      else if (answer.type === 'end') {
        conn.forget(id);
        queue.end();
      }
    });
    conn.send({
      op: 'detach',
      id,
      file,
      args: [...args],
      cwd: options.cwd,
      env: options.env,
      ...(options.startPipe ? { startPipe: true } : {}),
      ...(direct && channel ? { channel: { path: channel.path, token: direct.token } } : {}),
    });
  });
  return Object.assign(queue.iterable, {
    release: () => {
      conn.forget(id);
      if (direct) direct.release();
      else conn.send({ op: 'release', id });
      queue.end();
    },
    go: () => conn.send({ op: 'go', id }),
    kill: () => conn.send({ op: 'kill', id, signal: 'SIGKILL' }),
    closed: queue.closed,
  });
}

function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

/** Lines pushed by callbacks, read with `for await`. */
function lineQueue() {
  const lines: string[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  return {
    push(line: string) {
      lines.push(line);
      wake?.();
    },
    end(err?: Error) {
      ended = true;
      failure ??= err;
      wake?.();
    },
    closed: () => ended,
    iterable: {
      async *[Symbol.asyncIterator](): AsyncGenerator<string> {
        for (;;) {
          const line = lines.shift();
          if (line !== undefined) {
            yield line;
            continue;
          }
          if (ended) {
            if (failure) throw failure;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
    },
  };
}
