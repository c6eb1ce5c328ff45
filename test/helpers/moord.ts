import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { bridgeNameOf } from '../../src/network/attachments.js';
import type { NetworkRecord } from '../../src/network/index.js';
import { removeBridgeLeftovers } from './network.js';
import { run } from './run.js';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
export const MOORD = join(REPO_ROOT, 'bin/moord');
export const MOOR = join(REPO_ROOT, 'bin/moor');

export interface TestDaemon {
  dir: string;
  socket: string;
  host: string;
  pidfile: string;
  dataRoot: string;
  execRoot: string;
  proc: ChildProcess;
  /** Everything moord wrote to stderr so far. */
  logs(): string;
  /** Resolves with moord's exit code. */
  exited: Promise<number | null>;
  /** Sends a signal and waits for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface DaemonOptions {
  /** Extra moord flags. */
  args?: string[];
  /** Replace the default -H unix:// socket flag. */
  hosts?: string[];
  /** daemon.json content (default: `{}`). */
  config?: Record<string, unknown>;
  /**
   * Puts the exec root on a tmpfs of its own, as /run is on a usual host (here it is on disk);
   * cleanupDaemon unmounts it.
   */
  execRootOnTmpfs?: boolean;
}

/**
 * Starts a real moord as a child process with its own temp data root, exec root, socket and
 * pidfile (named after the test), and waits until it serves. Call stop() in `after`.
 */
export async function startTestDaemon(
  name: string,
  options: DaemonOptions = {},
): Promise<TestDaemon> {
  const dir = await mkdtemp(join(tmpdir(), `moor-${name}-`));
  const socket = join(dir, 'moor.sock');
  const pidfile = join(dir, 'moord.pid');
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const hosts = options.hosts ?? [`unix://${socket}`];
  await writeFile(join(dir, 'daemon.json'), JSON.stringify(options.config ?? {}));
  if (options.execRootOnTmpfs) {
    await mkdir(execRoot, { mode: 0o700 });
    const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'tmpfs', execRoot]);
    if (mounted.code !== 0) throw new Error(`mount tmpfs: ${mounted.stderr}`);
  }
  const args = [
    ...hosts.flatMap((h) => ['-H', h]),
    '--data-root',
    dataRoot,
    '--exec-root',
    execRoot,
    '--pidfile',
    pidfile,
    '--config-file',
    join(dir, 'daemon.json'),
    ...(options.args ?? []),
  ];
  // Each test daemon's default bridge is its own (never the host's docker0): a name and a
  // /24 of 10.128.0.0/9 picked at random, removed with the daemon's directory.
  if (!args.some((a) => a === '--bridge' || a === '-b' || a.startsWith('--bridge='))) {
    const bytes = randomBytes(3);
    args.push(
      '--bridge',
      `moortest-${bytes.toString('hex').slice(0, 5)}`,
      '--bip',
      `10.${128 + ((bytes[0] ?? 0) % 127)}.${bytes[1] ?? 0}.1/24`,
    );
  }
  return launch({ dir, socket, pidfile, dataRoot, execRoot, args });
}

export interface LaunchSpec {
  dir: string;
  socket: string;
  pidfile: string;
  dataRoot: string;
  execRoot: string;
  args: string[];
}

/** Runs moord with exactly `spec.args` and waits for "completed initialization" or exit. */
export async function launch(spec: LaunchSpec): Promise<TestDaemon> {
  const proc = spawn(MOORD, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  proc.stdout.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    const check = () => {
      if (stderr.includes('completed initialization') || proc.exitCode !== null) resolve();
      else setTimeout(check, 20);
    };
    check();
    void exited.then(() => resolve());
  });
  const daemon: TestDaemon = {
    ...spec,
    host: `unix://${spec.socket}`,
    proc,
    logs: () => stderr,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  return daemon;
}

/** Starts moord again as `old` was started: the same data root, socket and flags. */
export function relaunch(old: TestDaemon): Promise<TestDaemon> {
  return launch({ ...old, args: old.proc.spawnargs.slice(1) });
}

/** Stops the daemon (if still running) and removes its directory. */
export async function cleanupDaemon(daemon: TestDaemon | undefined): Promise<void> {
  if (!daemon) return;
  await daemon.stop();
  const bridge = daemon.proc.spawnargs[daemon.proc.spawnargs.indexOf('--bridge') + 1];
  const bridges = await userNetworkBridges(daemon.dataRoot);
  if (bridge?.startsWith('moortest-')) bridges.push(bridge);
  if (bridges.length > 0) await removeBridgeLeftovers(bridges);
  await unmountUnder(daemon.dir);
  await rm(daemon.dir, { recursive: true, force: true });
}

/** Detaches every mount under `dir` (deepest first): a tmpfs exec root, container mounts. */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  const targets = mounts
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((t) => t === dir || t.startsWith(`${dir}/`))
    .reverse();
  for (const target of targets) await run('umount', ['-l', target]);
}

/**
 * The Linux bridges of the bridge networks a daemon's data root still records (networks a test
 * created and did not remove outlive the daemon, as Docker's do).
 */
async function userNetworkBridges(dataRoot: string): Promise<string[]> {
  const dir = join(dataRoot, 'network');
  const names = await readdir(dir).catch(() => [] as string[]);
  const bridges: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(await readFile(join(dir, name), 'utf8')) as NetworkRecord;
    if (record.driver !== 'bridge') continue;
    if (record.options['com.docker.network.bridge.default_bridge'] === 'true') continue;
    bridges.push(bridgeNameOf(record));
  }
  return bridges;
}
