/**
 * Registry benchmark (the registry issue's goal): a generated 5-layer image of --mb MB
 * (random data, so compression does not shrink it) pushed by moord to a loopback registry
 * and pulled back, in MB/s of image data: to moor's registry and, when installed, to
 * Debian's docker-registry; beside the raw `gzip -d` throughput of the same layer blobs as
 * the reference (pull goal: ≥ 0.8× of it). Needs root. Run: npm run bench:registry [-- --mb 500].
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dockerCli, startDaemonWithBusybox } from '../test/helpers/containers.js';
import type { TestDaemon } from '../test/helpers/moord.js';
import { type TestRegistry, startTestRegistry } from '../test/helpers/registry.js';
import { freePort, run } from '../test/helpers/run.js';
import { cleanupBenchDaemon, must, numberArg, report, timedCommand } from './measure.js';

const MB = numberArg('mb', 500);
const LAYERS = 5;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-bench-registry-'));
  let daemon: TestDaemon | undefined;
  let ours: TestRegistry | undefined;
  let distribution: ChildProcess | undefined;
  const cleanup = async () => {
    distribution?.kill('SIGTERM');
    await cleanupBenchDaemon(daemon);
    await ours?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    daemon = await startDaemonWithBusybox('bench-registry');
    const docker = dockerCli(daemon, join(dir, 'docker-config'));
    const env = { DOCKER_HOST: daemon.host, DOCKER_CONFIG: join(dir, 'docker-config') };
    const ctx = join(dir, 'ctx');
    await mkdir(ctx);
    const per = Math.ceil(MB / LAYERS);
    const steps = Array.from(
      { length: LAYERS },
      (_, i) => `RUN head -c ${per}m /dev/urandom > /data-${i}`,
    );
    await writeFile(join(ctx, 'Dockerfile'), `FROM busybox\n${steps.join('\n')}\n`);
    must('build the image', await docker(['build', '-q', '--network', 'none', '-t', 'big:1', ctx]));
    const mb = LAYERS * per;

    const targets: Array<[string, string]> = [];
    ours = await startTestRegistry('bench');
    targets.push(['moor registry', ours.address]);
    if (existsSync('/usr/bin/docker-registry')) {
      const address = `127.0.0.1:${await freePort()}`;
      const config = join(dir, 'distribution.yml');
      await writeFile(
        config,
        `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${join(dir, 'dist-root')} } }\nhttp: { addr: ${address} }\n`,
      );
      distribution = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`http://${address}/v2/`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      targets.push(['docker-registry', address]);
    }

    // The reference: gzip -d of the layer blobs moord pushes (measured on moor's registry).
    const lines: string[] = [];
    let gunzip = 0;
    for (const [label, address] of targets) {
      const ref = `${address}/bench/big:1`;
      must('tag', await docker(['tag', 'big:1', ref]));
      const push = await timedCommand('docker', ['push', ref], env);
      must('push', push);
      must('rmi', await docker(['rmi', ref, 'big:1']));
      const pull = await timedCommand('docker', ['pull', ref], env);
      must('pull', pull);
      // Only big:1 names the image again, so that the next pull downloads every layer.
      must('tag back', await docker(['tag', ref, 'big:1']));
      must('untag', await docker(['rmi', ref]));
      if (label === 'moor registry') {
        const blobs = join(ours.root, 'blobs', 'sha256');
        const files: string[] = [];
        for (const name of await readdir(blobs)) {
          if ((await stat(join(blobs, name))).size > 1 << 20) files.push(join(blobs, name));
        }
        const timed = await timedCommand('sh', [
          '-c',
          `cat ${files.join(' ')} | gzip -d > /dev/null`,
        ]);
        must('gzip -d', timed);
        gunzip = mb / timed.seconds;
      }
      const pullRate = mb / pull.seconds;
      lines.push(
        `${label}: push ${(mb / push.seconds).toFixed(1)} MB/s, pull ${pullRate.toFixed(1)} MB/s`,
      );
      lines.push(
        report(
          `pull from ${label} / gzip -d`,
          `${(pullRate / gunzip).toFixed(2)}×`,
          '≥ 0.8×',
          pullRate / gunzip >= 0.8,
        ),
      );
    }
    const load = (await run('cat', ['/proc/loadavg'])).stdout.trim();
    console.log(
      `a ${mb} MB, ${LAYERS}-layer image (load average ${load}); gzip -d: ${gunzip.toFixed(1)} MB/s`,
    );
    for (const line of lines) console.log(line);
  } finally {
    await cleanup();
  }
}

await main();
