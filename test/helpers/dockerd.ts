import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run } from './run.js';

export interface ReferenceDockerd {
  dir: string;
  host: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export const DOCKERD = '/usr/sbin/dockerd';

/** True when Debian's docker.io (a real dockerd) is installed. */
export function haveDockerd(): boolean {
  return existsSync(DOCKERD);
}

/**
 * Starts a real dockerd (Debian's docker.io) as a reference engine on its own data root,
 * exec root and socket, with no bridge and no iptables rules, so it cannot disturb moord or
 * the host network.
 */
export async function startReferenceDockerd(name: string): Promise<ReferenceDockerd> {
  const dir = await mkdtemp(join(tmpdir(), `dockerd-${name}-`));
  const socket = join(dir, 'docker.sock');
  const proc = spawn(
    DOCKERD,
    [
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'docker.pid'),
      '-H',
      `unix://${socket}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--storage-driver=vfs',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const host = `unix://${socket}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`dockerd exited early: ${log}`);
    const ping = await run('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}'], {
      timeoutMs: 5000,
    });
    if (ping.code === 0) break;
    if (Date.now() > deadline) throw new Error(`dockerd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    dir,
    host,
    proc,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.on('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
