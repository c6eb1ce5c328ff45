/**
 * The process launcher: a small Node process that starts host commands for moord. fork() from
 * moord's large heap blocks its event loop for milliseconds per command, and longer while the
 * new child waits for a CPU to exec; from this process it costs a fraction of that and blocks
 * nothing of moord's. It ends when its stdin closes (moord stopped or died); detached commands
 * (the monitors) live on. Imports nothing but Node's own modules, to stay small.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

import {
  type DetachRequest,
  LAUNCHER_READY,
  type LauncherAnswer,
  type LauncherRequest,
  type RunRequest,
} from './launcher-protocol.js';

const running = new Map<number, ChildProcess>();
const syncPipes = new Map<number, Readable>();

function answer(message: LauncherAnswer): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function failed(id: number, err: Error): void {
  const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  answer({ id, type: 'failed', code, message: err.message });
}

function run(request: RunRequest): void {
  const { id } = request;
  const child = spawn(request.file, request.args, {
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.set(id, child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let spawnError: Error | undefined;
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // The command may exit before reading all of its input; its exit status tells what happened.
  child.stdin.on('error', () => undefined);
  let spawned = false;
  child.once('spawn', () => (spawned = true));
  // Only a command that never started is a failure; a kill that came too late is not.
  child.on('error', (err) => {
    if (!spawned) spawnError = err;
  });
  child.on('close', (code, signal) => {
    running.delete(id);
    if (spawnError) {
      failed(id, spawnError);
      return;
    }
    answer({
      id,
      type: 'exit',
      code,
      signal,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
    });
  });
  child.stdin.end(request.input !== undefined ? Buffer.from(request.input, 'base64') : '');
}

function detach(request: DetachRequest): void {
  const { id } = request;
  const child = spawn(request.file, request.args, {
    cwd: request.cwd,
    env: { ...process.env, ...request.env },
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
  child.once('spawn', () => answer({ id, type: 'spawned' }));
  child.once('error', (err) => failed(id, err));
  child.unref();
  const pipe = child.stdio[3] as Readable | null;
  if (!pipe) return;
  syncPipes.set(id, pipe);
  const lines = createInterface({ input: pipe, crlfDelay: Infinity });
  lines.on('line', (line) => answer({ id, type: 'line', line }));
  lines.on('close', () => {
    syncPipes.delete(id);
    answer({ id, type: 'end' });
  });
  pipe.on('error', () => undefined);
}

function handle(request: LauncherRequest): void {
  switch (request.op) {
    case 'run':
      run(request);
      return;
    case 'detach':
      detach(request);
      return;
    case 'kill':
      running.get(request.id)?.kill(request.signal);
      return;
    case 'release':
      syncPipes.get(request.id)?.destroy();
      return;
  }
}

const requests = createInterface({ input: process.stdin, crlfDelay: Infinity });
requests.on('line', (line) => {
  if (line.trim() === '') return;
  let request: LauncherRequest;
  try {
    request = JSON.parse(line) as LauncherRequest;
  } catch (err) {
    // Only moord writes here; a line that is not its JSON asks for nothing.
    if (err instanceof SyntaxError) return;
    throw err;
  }
  handle(request);
});
// moord went away: nothing more will be asked. Running commands finish on their own.
requests.on('close', () => {
  for (const pipe of syncPipes.values()) pipe.destroy();
  process.exitCode = 0;
});
// moord is gone (killed): nobody reads the answers any more.
process.stdout.on('error', () => process.exit(0));
process.stdout.write(`${LAUNCHER_READY}\n`);
