/**
 * The process launcher: a small Node process that starts host commands for moord. fork() from
 * moord's large heap blocks its event loop for milliseconds per command, and longer while the
 * new child waits for a CPU to exec; from this process it costs a fraction of that and blocks
 * nothing of moord's. It ends when its stdin closes (moord stopped or died); detached commands
 * (the monitors) live on. It loads nothing but Node's own modules and the two small modules
 * of its own below, to stay small.
 */
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

import { runCollecting, spawnWithSyncPipe, spawnWithSyncSocket } from './child-process-io.js';
import {
  type DetachRequest,
  LAUNCHER_READY,
  type LauncherAnswer,
  type LauncherRequest,
  type RunRequest,
  parseJsonLine,
} from './launcher-protocol.js';

const running = new Map<number, ChildProcess>();
/** A detached command: its fd-3 pipe (none on the sync channel), and how to let it go on. */
interface Detached {
  child: ChildProcess;
  pipe: Readable | undefined;
  start: Writable | undefined;
  go: () => void;
}
/** Detached commands while they may still be asked about (fd 3 open, or not gone on yet). */
const detached = new Map<number, Detached>();

function answer(message: LauncherAnswer): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function failed(id: number, err: Error): void {
  const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  answer({ id, type: 'failed', code, message: err.message });
}

function run(request: RunRequest): void {
  const { id } = request;
  const { child, result } = runCollecting(request.file, request.args, {
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    ...(request.input !== undefined ? { input: Buffer.from(request.input, 'base64') } : {}),
  });
  running.set(id, child);
  void result
    .then(
      (output) => answer({ id, type: 'exit', ...output }),
      (err: Error) => failed(id, err),
    )
    .finally(() => running.delete(id));
}

/** A detached command whose fd 3 is a connection to moord's sync channel, with the token. */
function detachOnChannel(request: DetachRequest, channel: { path: string; token: string }): void {
  const { id } = request;
  const socket = connect(channel.path);
  socket.on('error', (err) => failed(id, err));
  socket.once('connect', () => {
    socket.write(`${channel.token}\n`);
    const started = spawnWithSyncSocket(
      request.file,
      request.args,
      { cwd: request.cwd, env: request.env, ...(request.startPipe ? { startPipe: true } : {}) },
      socket,
    );
    // The command has its own copy of the connection; this one is not needed any more.
    socket.destroy();
    track(id, { ...started, pipe: undefined });
    // Once it went on (or ended), nothing is asked of it here any more.
    started.child.once('exit', () => detached.delete(id));
  });
}

/** Keeps a detached command for `go`, `kill` and `release`, and reports its start. */
function track(id: number, started: Detached): void {
  detached.set(id, started);
  started.child.once('spawn', () => answer({ id, type: 'spawned' }));
  started.child.once('error', (err) => failed(id, err));
}

function detach(request: DetachRequest): void {
  if (request.channel) {
    detachOnChannel(request, request.channel);
    return;
  }
  const { id } = request;
  const started = spawnWithSyncPipe(
    request.file,
    request.args,
    {
      cwd: request.cwd,
      env: request.env,
      ...(request.startPipe ? { startPipe: true } : {}),
    },
    (line) => answer({ id, type: 'line', line }),
    () => {
      detached.delete(id);
      answer({ id, type: 'end' });
    },
  );
  track(id, started);
}

function handle(request: LauncherRequest): void {
  switch (request.op) {
    case 'run':
      run(request);
      return;
    case 'detach':
      detach(request);
      return;
    case 'go':
      detached.get(request.id)?.go();
      return;
    case 'kill':
      (running.get(request.id) ?? detached.get(request.id)?.child)?.kill(request.signal);
      return;
    case 'release':
      detached.get(request.id)?.pipe?.destroy();
      return;
  }
}

const requests = createInterface({ input: process.stdin, crlfDelay: Infinity });
requests.on('line', (line) => {
  if (line.trim() === '') return;
  const request = parseJsonLine<LauncherRequest>(line);
  if (request) handle(request);
});
// moord went away: nothing more will be asked. Running commands finish on their own; one
// still waiting at its start pipe sees it close.
requests.on('close', () => {
  for (const { pipe, start } of detached.values()) {
    pipe?.destroy();
    start?.destroy();
  }
  process.exitCode = 0;
});
// moord is gone (killed): nobody reads the answers any more.
process.stdout.on('error', () => process.exit(0));
process.stdout.write(`${LAUNCHER_READY}\n`);
