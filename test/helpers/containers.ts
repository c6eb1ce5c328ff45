import { readdir, readFile } from 'node:fs/promises';

import {
  type DaemonOptions,
  MOOR,
  type TestDaemon,
  cleanupDaemon,
  startTestDaemon,
  unmountUnder,
} from './moord.js';
import { type RunResult, run } from './run.js';

/** The real docker CLI against a test daemon, isolated from any user config. */
export function dockerCli(daemon: TestDaemon, configDir: string) {
  return (
    args: string[],
    options: { input?: string; timeoutMs?: number } = {},
  ): Promise<RunResult> =>
    run('docker', args, {
      env: { DOCKER_HOST: daemon.host, DOCKER_CONFIG: configDir },
      ...options,
    });
}

/** A test daemon (`options`: flags, daemon.json) with busybox:latest from `moor bootstrap`. */
export async function startDaemonWithBusybox(
  name: string,
  options: DaemonOptions = {},
): Promise<TestDaemon> {
  const daemon = await startTestDaemon(name, options);
  const boot = await run(MOOR, ['-H', daemon.host, 'bootstrap']);
  if (boot.code !== 0) throw new Error(`bootstrap failed: ${boot.stderr}`);
  return daemon;
}

/**
 * The live monitors (conmon processes, not zombies) started for a test daemon's directory `dir`:
 * their pids and the container ids they monitor.
 */
export async function monitorProcesses(dir: string): Promise<Array<{ pid: number; id: string }>> {
  const found: Array<{ pid: number; id: string }> = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[0]?.endsWith('conmon') && argv.some((a) => a.includes(dir))) {
      found.push({ pid: Number(pid), id: argv[argv.indexOf('-c') + 1] ?? '' });
    }
  }
  return found;
}

/**
 * Removes everything a test daemon's containers left on the host, even when the daemon is
 * gone: monitors (and with them the containers) started for its exec root are killed, and
 * mounts under its directory are detached.
 */
export async function killLeftovers(dir: string): Promise<void> {
  for (const { pid } of await monitorProcesses(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('sh', [
    '-c',
    `runc --root ${dir}/exec/runc list -q 2>/dev/null | xargs -r -n1 runc --root ${dir}/exec/runc delete -f`,
  ]);
  await unmountUnder(dir);
}

/** Force-removes the daemon's containers, stops it, and cleans what is left. */
export async function cleanupContainerDaemon(daemon: TestDaemon | undefined): Promise<void> {
  if (!daemon) return;
  if (daemon.proc.exitCode === null) {
    const ids = await run('docker', ['ps', '-aq'], { env: { DOCKER_HOST: daemon.host } });
    const list = ids.stdout.split('\n').filter((l) => l !== '');
    if (list.length > 0) {
      await run('docker', ['rm', '-f', ...list], { env: { DOCKER_HOST: daemon.host } });
    }
  }
  await daemon.stop();
  await killLeftovers(daemon.dir);
  await cleanupDaemon(daemon);
}

/** Polls `check` until it holds, or fails after `ms`. */
export async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
