import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

import type { ExecConfig } from '../api-types/index.js';
import { conflict, invalidArgument, notFound } from '../core/index.js';
import { type LogEntry, type LogPump, createLogPump, openLogDriver } from '../logging/index.js';
import { RuntimeStartError, attachSocketPath, launchMonitor } from '../runtime/index.js';
import type { ContainerContext, ExecSession } from './container-context.js';
import { ContainerLifecycle } from './container-events.js';
import { execPaths } from './container-paths.js';
import { canExec } from './container-state.js';
import { mergeEnv } from './container-config.js';
import { resolveContainerUser } from './process-setup.js';
import { mountedRootfsReader } from './rootfs-reader.js';
import { publishContainerEvent } from './container-event.js';

export type { ExecSession };

export function getExec(ctx: ContainerContext, execId: string): ExecSession {
  const session = ctx.execs.get(execId);
  if (!session) throw notFound(`No such exec instance: ${execId}`);
  return session;
}

/** `POST /containers/{id}/exec`: validates and records a session (nothing runs yet). */
export function createExec(ctx: ContainerContext, containerId: string, config: ExecConfig): string {
  const record = ctx.store.get(containerId);
  if (!record) throw notFound(`No such container: ${containerId}`);
  canExec(record);
  if (!config.Cmd || config.Cmd.length === 0) throw invalidArgument('No exec command specified');
  const id = randomBytes(32).toString('hex');
  ctx.execs.set(id, {
    id,
    containerId,
    config,
    running: false,
    exitCode: null,
    pid: 0,
    started: false,
    paths: execPaths(ctx.dirs, id),
    events: new ContainerLifecycle(),
  });
  publishContainerEvent(ctx, record, `exec_create: ${config.Cmd.join(' ')}`, { execID: id });
  return id;
}

interface ProcessSpec {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: Record<string, string[]>;
  noNewPrivileges?: boolean;
  rlimits?: unknown[];
}

async function execProcessSpec(ctx: ContainerContext, session: ExecSession): Promise<ProcessSpec> {
  const record = ctx.store.get(session.containerId);
  if (!record) throw notFound(`No such container: ${session.containerId}`);
  const paths = ctx.pathsOf(record);
  const spec = JSON.parse(await readFile(`${paths.bundle}/config.json`, 'utf8')) as {
    process: ProcessSpec;
  };
  const base = spec.process;
  const { config } = session;
  const user = config.User
    ? await resolveContainerUser(
        mountedRootfsReader(`/proc/${record.state.pid}/root`),
        config.User,
        record.hostConfig.GroupAdd ?? [],
      )
    : undefined;
  const process: ProcessSpec = {
    ...base,
    terminal: config.Tty === true,
    args: config.Cmd ?? [],
    env: mergeEnv(base.env, config.Env ?? []),
    cwd: config.WorkingDir || base.cwd,
    user: user ? { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } : base.user,
  };
  delete process.consoleSize;
  if (config.ConsoleSize && config.Tty) {
    process.consoleSize = { height: config.ConsoleSize[0], width: config.ConsoleSize[1] };
  }
  if (config.Privileged) {
    const all = [...ctx.availableCapabilities];
    process.capabilities = { bounding: all, effective: all, permitted: all };
  }
  return process;
}

/**
 * Starts an exec session's process under its own monitor (conmon `--exec`), which captures its
 * output into a session log that attached clients follow. Resolves once the process runs.
 */
export async function startExec(
  ctx: ContainerContext,
  session: ExecSession,
  output?: (entry: LogEntry) => void,
): Promise<void> {
  if (session.started) throw conflict(`Error: Exec command ${session.id} is already running`);
  const record = ctx.store.get(session.containerId);
  if (!record) throw notFound(`No such container: ${session.containerId}`);
  canExec(record);
  session.started = true;
  const { paths } = session;
  let pump: LogPump | undefined;
  let started;
  try {
    await mkdir(paths.exitDir, { recursive: true, mode: 0o700 });
    await writeFile(paths.processSpec, JSON.stringify(await execProcessSpec(ctx, session)));
    pump = createLogPump({
      source: paths.log,
      checkpoint: `${paths.log}.offset`,
      driver: await openLogDriver({ type: 'none', config: {}, dir: paths.bundle, id: session.id }),
      reopenSource: () => Promise.resolve(),
    });
    await writeFile(paths.log, '');
    await pump.start();
    session.pump = pump;
    if (output) pump.subscribe((entries) => entries.forEach(output));
    started = await launchMonitor({
      id: session.containerId,
      uuid: paths.uuid,
      bundle: paths.bundle,
      logPath: paths.log,
      exitDir: paths.exitDir,
      socketDir: ctx.dirs.sockets,
      pidFile: paths.pidFile,
      monitorPidFile: paths.monitorPidFile,
      terminal: session.config.Tty === true,
      stdin: session.config.AttachStdin === true,
      leaveStdinOpen: false,
      runtime: { binary: ctx.runc.binary, root: ctx.runc.root },
      exec: { processSpecPath: paths.processSpec },
    });
  } catch (err) {
    // As dockerd: a process that could not be started ends the session with 126, or 127 when
    // the executable is missing; the error goes to the client.
    await pump?.stop();
    const message = err instanceof Error ? err.message : String(err);
    session.exitCode = /executable file not found|exec: "[^"]*": (stat .*: )?no such file/.test(
      message,
    )
      ? 127
      : 126;
    session.events.emit('exit', session.exitCode);
    await rm(paths.bundle, { recursive: true, force: true });
    if (err instanceof RuntimeStartError) {
      throw invalidArgument(`OCI runtime exec failed: ${err.message}: unknown`, err);
    }
    throw err;
  }
  const livePump = pump;
  session.pid = started.pid;
  session.running = true;
  session.events.emit('created');
  const owner = ctx.store.get(session.containerId);
  const command = (session.config.Cmd ?? []).join(' ');
  if (owner) publishContainerEvent(ctx, owner, `exec_start: ${command}`, { execID: session.id });
  void (started.exited ?? Promise.resolve(1))
    .catch(() => 1)
    .then(async (code) => {
      await livePump.drain({ final: true });
      await livePump.stop();
      session.exitCode = code;
      session.running = false;
      session.events.emit('exit', code);
      if (owner) {
        publishContainerEvent(ctx, owner, 'exec_die', {
          execID: session.id,
          exitCode: String(code),
        });
      }
      await rm(paths.bundle, { recursive: true, force: true });
    });
}

export function execSocketPath(ctx: ContainerContext, session: ExecSession): string {
  return attachSocketPath(ctx.dirs.sockets, session.paths.uuid);
}
