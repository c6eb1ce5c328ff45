import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, internal, unavailable } from '../core/index.js';
import { type SyncLines, spawnDetached } from '../sys/index.js';

/**
 * The per-container monitor: conmon. It runs `runc create` (or `runc exec`), becomes the parent
 * of the container's init, holds its stdio, writes its output to a CRI ("k8s-file") log, and
 * writes the exit code to `<exitDir>/<id>` when the process ends — whether moord is running or
 * not. conmon daemonizes itself; the launching process only waits for the sync message.
 */
export interface MonitorSpec {
  /** The container id (conmon's `-c`; the exit file is named after it). */
  id: string;
  /** Short unique name for the attach socket link (`<socketDir>/<uuid>/attach`). */
  uuid: string;
  /** The OCI bundle (holds config.json; conmon puts `attach`, `ctl`, `winsz` there). */
  bundle: string;
  /** Where the CRI log goes. */
  logPath: string;
  exitDir: string;
  /** conmon writes `exit` and, on an OOM kill, `oom` here. */
  persistDir?: string;
  socketDir: string;
  pidFile: string;
  monitorPidFile: string;
  terminal: boolean;
  /** Open a pipe for the process's stdin, fed through the attach socket. */
  stdin: boolean;
  /** Keep stdin open when an attached client goes away (Docker's OpenStdin without StdinOnce). */
  leaveStdinOpen: boolean;
  runtime: { binary: string; root: string };
  /** Run a process in a running container instead of creating one. */
  exec?: { processSpecPath: string };
  conmonBinary?: string;
}

export interface MonitorStarted {
  /** The process on the host (container init, or the exec'd process). */
  pid: number;
  monitorPid: number;
  /** For exec: resolves with the exit code once the process ends (while moord runs). */
  exited?: Promise<number>;
}

/** A failure the runtime reported while creating the process (e.g. executable not found). */
export class RuntimeStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeStartError';
  }
}

/**
 * runc reports failures as logrus lines (`time="…" level=error msg="runc create failed: …"`);
 * the client sees the message alone.
 */
export function runtimeMessage(raw: string): string {
  const lines = raw
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const last = lines.at(-1) ?? '';
  const quoted = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(last);
  const message = quoted?.[1] !== undefined ? unquote(quoted[1]) : last.trim();
  return message || 'unknown runtime error';
}

function unquote(text: string): string {
  return text.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

interface SyncMessage {
  data: number;
  message?: string;
}

/**
 * conmon's whole environment: where to find programs, a fixed UTF-8 locale and its sync pipe.
 * It outlives moord and passes its environment on to runc: nothing of moord's (a service
 * manager's NOTIFY_SOCKET, whatever else moord was started with) goes with it. Without a
 * UTF-8 locale glib converts file names through iconv, which costs each monitor some
 * 0.5 MB more of resident memory.
 */
function monitorEnvironment(startPipe: boolean): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LC_ALL: 'C.UTF-8',
    _OCI_SYNCPIPE: '3',
    ...(startPipe ? { _OCI_STARTPIPE: '4' } : {}),
  };
}

function conmonArgs(spec: MonitorSpec): string[] {
  const args = [
    '--api-version',
    '1',
    '-c',
    spec.id,
    '-u',
    spec.uuid,
    '-r',
    spec.runtime.binary,
    '--runtime-arg',
    `--root=${spec.runtime.root}`,
    '-b',
    spec.bundle,
    '-p',
    spec.pidFile,
    '-P',
    spec.monitorPidFile,
    '-l',
    `k8s-file:${spec.logPath}`,
    '--exit-dir',
    spec.exitDir,
    '--socket-dir-path',
    spec.socketDir,
    '--log-level',
    'error',
    '--syslog',
    // The log is read back by moord, not relied on across a power loss: Docker does not fsync
    // container logs either, and conmon's fsync would delay the exit file after every exit.
    '--no-sync-log',
  ];
  if (spec.persistDir !== undefined) args.push('--persist-dir', spec.persistDir);
  if (spec.terminal) args.push('-t');
  if (spec.stdin) args.push('-i');
  if (spec.leaveStdinOpen) args.push('--leave-stdin-open');
  if (spec.exec) args.push('-e', '--exec-process-spec', spec.exec.processSpecPath);
  return args;
}

function syncMessage(line: string): SyncMessage {
  try {
    return JSON.parse(line) as SyncMessage;
  } catch (err) {
    throw internal(`conmon: unreadable sync message ${line}`, err);
  }
}

/** A pid file conmon wrote in the bundle (on the exec root's tmpfs): read at once. */
function readPidFile(path: string): number {
  return Number.parseInt(readFileSync(path, 'utf8'), 10);
}

/**
 * Starts conmon for a container (runc create: the process exists but has not started; call
 * `runc start`) or for an exec (the process runs at once). Resolves when the runtime reported
 * the process's pid; throws RuntimeStartError with the runtime's message when it failed.
 */
export async function launchMonitor(spec: MonitorSpec): Promise<MonitorStarted> {
  return awaitProcess(spec, await spawnMonitor(spec, false));
}

/** A monitor started ahead, waiting at its start pipe until `start()`. */
export interface PreparedMonitor {
  /** Lets it go on: as launchMonitor from there. */
  start(): Promise<MonitorStarted>;
  /** Ends it where it waits: nothing else ran yet. */
  cancel(): void;
  /** False once it is gone (killed while it waited): `start()` would find nobody. */
  waiting(): boolean;
}

/**
 * Starts conmon for a container's next start ahead of it (`_OCI_STARTPIPE`): it loads and
 * reads its arguments, then waits before anything else (no fork, no runtime). `start()` lets
 * it go on to `runc create`. If moord goes away instead, the pipe closes and conmon goes on
 * without a config.json in the bundle: runc fails and conmon ends, and the container stays as
 * it was (created).
 */
export async function prepareMonitor(spec: MonitorSpec): Promise<PreparedMonitor> {
  const sync = await spawnMonitor(spec, true);
  return {
    start: () => {
      sync.go();
      return awaitProcess(spec, sync);
    },
    cancel: () => {
      sync.kill();
      sync.release();
    },
    waiting: () => !sync.closed(),
  };
}

async function spawnMonitor(spec: MonitorSpec, startPipe: boolean): Promise<SyncLines> {
  try {
    return await spawnDetached(spec.conmonBinary ?? 'conmon', conmonArgs(spec), {
      // conmon also writes an `oom` file into its working directory: keep it in the bundle.
      cwd: spec.bundle,
      env: monitorEnvironment(startPipe),
      ...(startPipe ? { startPipe: true } : {}),
    });
  } catch (err) {
    throw hasErrno(err, 'ENOENT')
      ? unavailable('conmon not found (install the conmon package)', err)
      : err;
  }
}

/** Waits for conmon's report of the process (its pid, or the runtime's failure). */
async function awaitProcess(spec: MonitorSpec, sync: SyncLines): Promise<MonitorStarted> {
  const lines = sync[Symbol.asyncIterator]();
  const next = async (): Promise<SyncMessage | undefined> => {
    for (;;) {
      const line = await lines.next();
      if (line.done) return undefined;
      if (line.value.trim() !== '') return syncMessage(line.value);
    }
  };
  const first = await next();
  if (!first) {
    throw internal(`conmon for ${spec.id} exited without reporting the process`);
  }
  if (first.data < 0) {
    sync.release();
    throw new RuntimeStartError(runtimeMessage(first.message ?? ''));
  }
  const monitorPid = readPidFile(spec.monitorPidFile);
  if (!spec.exec) {
    sync.release();
    return { pid: first.data, monitorPid };
  }
  const exited = (async () => {
    const last = await next();
    sync.release();
    if (!last) throw internal(`conmon for exec in ${spec.id} went away`);
    return last.data;
  })();
  exited.catch(() => undefined);
  return { pid: first.data, monitorPid, exited };
}

/** Writes one control line to conmon's `ctl` fifo in the bundle (resize, reopen log). */
async function writeControl(bundle: string, line: string): Promise<void> {
  // O_NONBLOCK: with no reader (conmon gone) the open fails with ENXIO instead of hanging.
  const { constants } = await import('node:fs');
  let handle;
  try {
    handle = await open(join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (hasErrno(err, 'ENXIO', 'ENOENT')) return;
    throw err;
  }
  try {
    await handle.write(line);
  } finally {
    await handle.close();
  }
}

/** Resizes the container's terminal. */
export function resizeTerminal(bundle: string, height: number, width: number): Promise<void> {
  return writeControl(bundle, `1 ${Math.trunc(height)} ${Math.trunc(width)}\n`);
}

/** Asks conmon to re-create its log file (after moord moved the old one away). */
export function reopenMonitorLog(bundle: string): Promise<void> {
  return writeControl(bundle, '2 0 0\n');
}

/** The path of the monitor's attach socket for a container or exec session. */
export function attachSocketPath(socketDir: string, uuid: string): string {
  return join(socketDir, uuid, 'attach');
}
