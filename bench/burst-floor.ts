/**
 * What a burst of detached starts costs without the engine, measured in the same run as the
 * engine's burst: as many `runc run -d` of the reference bundle, and as many `docker version`
 * (the CLI's own start and one request), each as many at a time. The two are the parts of
 * every `docker run -d` that moor does not write; when they alone take most of a goal, no
 * engine between them meets it. Also the host's CPU time over a stretch, to tell how much of
 * a burst was moord's.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { run } from '../test/helpers/run.js';
import { must, pool, timedCommand } from './measure.js';

export interface BurstFloor {
  /** Seconds of `count` × `runc run -d` (sleeping containers), `parallel` at a time. */
  runcSeconds: number;
  /** Seconds of `count` × `docker version`, `parallel` at a time. */
  cliSeconds: number;
}

export interface BurstFloorOptions {
  count: number;
  parallel: number;
  runcRoot: string;
  /** The reference bundle (`runc spec` config, busybox rootfs). */
  bundle: string;
  dockerEnv: NodeJS.ProcessEnv;
}

/** Runs `runc run -d` to its exit (runc's, not the container's, which keeps /dev/null). */
function runDetached(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('runc', args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

/** A bundle beside `bundle` whose process sleeps, on the same rootfs. */
async function sleepingBundle(bundle: string): Promise<string> {
  const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as {
    root: { path: string };
    process: { args: string[] };
  };
  config.root.path = join(bundle, 'rootfs');
  config.process.args = ['sleep', '300'];
  const sleeping = `${bundle}-sleep`;
  await mkdir(sleeping, { recursive: true });
  await writeFile(join(sleeping, 'config.json'), JSON.stringify(config));
  return sleeping;
}

export async function measureBurstFloor(options: BurstFloorOptions): Promise<BurstFloor> {
  const { count, parallel, runcRoot } = options;
  const bundle = await sleepingBundle(options.bundle);
  const names = Array.from({ length: count }, (_, i) => `bench-floor-${i}`);
  let started = process.hrtime.bigint();
  await pool(count, parallel, async (i) => {
    const name = names[i] as string;
    const code = await runDetached(['--root', runcRoot, 'run', '-d', '--bundle', bundle, name]);
    if (code !== 0) throw new Error(`runc run -d ${name} failed (${code})`);
  });
  const runcSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool(count, parallel, async (i) => {
    must(
      'runc delete',
      await run('runc', ['--root', runcRoot, 'delete', '-f', names[i] as string]),
    );
  });
  started = process.hrtime.bigint();
  await pool(count, parallel, async () => {
    must('docker version', await timedCommand('docker', ['version'], options.dockerEnv));
  });
  const cliSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { runcSeconds, cliSeconds };
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, in clock ticks of 10 ms). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds the whole host spent busy so far, over all CPUs (/proc/stat). */
export async function hostBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100
  );
}

/** CPU seconds of moord and of its process launchers (its children running launcher-main). */
export async function engineCpuSeconds(pid: number): Promise<number> {
  let total = await cpuSeconds(pid);
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const children = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of children.split(' ').filter((c) => c !== '')) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('launcher-main')) total += await cpuSeconds(Number(child));
    }
  }
  return total;
}
