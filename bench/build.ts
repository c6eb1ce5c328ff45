/**
 * Build benchmark, against the goals of the builds issue: a 6-step Dockerfile (FROM busybox,
 * ENV, RUN, COPY, WORKDIR, RUN, CMD) built by the real docker CLI (classic builder path)
 * against a test moord, uncached (`--no-cache`) and fully cached, medians of --runs builds;
 * beside the same builds against a reference dockerd (Debian's docker.io, its own data root,
 * no bridge) when it is installed. Builds use `--network none`. Needs root.
 * Run: npm run bench:build [-- --runs 10]. Everything is removed at the end.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startDaemonWithBusybox } from '../test/helpers/containers.js';
import {
  type ReferenceDockerd,
  haveDockerd,
  startReferenceDockerd,
} from '../test/helpers/dockerd.js';
import type { TestDaemon } from '../test/helpers/moord.js';
import { run } from '../test/helpers/run.js';
import {
  cleanupBenchDaemon,
  median,
  ms,
  must,
  numberArg,
  report,
  timedCommand,
} from './measure.js';

const RUNS = numberArg('runs', 10);

const DOCKERFILE = `FROM busybox
ENV GREETING=hello
RUN echo "$GREETING" > /greeting
COPY app.txt /app/app.txt
WORKDIR /app
RUN cat app.txt greeting 2>/dev/null; wc -c app.txt > size
CMD ["cat", "/app/size"]
`;

interface BuildTimes {
  uncached: number;
  cached: number;
}

async function measure(host: string, context: string): Promise<BuildTimes> {
  const env = { DOCKER_HOST: host, DOCKER_CONFIG: join(context, '.docker-config') };
  const build = (...flags: string[]) =>
    timedCommand('docker', ['build', '-q', '--network', 'none', ...flags, context], env);
  must('warm-up build', await build());
  const uncached: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const fresh = await build('--no-cache');
    must('uncached build', fresh);
    uncached.push(fresh.seconds);
    const again = await build();
    must('cached build', again);
    cached.push(again.seconds);
  }
  return { uncached: median(uncached), cached: median(cached) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-bench-build-'));
  let daemon: TestDaemon | undefined;
  let reference: ReferenceDockerd | undefined;
  const cleanup = async () => {
    await cleanupBenchDaemon(daemon);
    await reference?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(dir, 'app.txt'), 'application data\n');
    await writeFile(join(dir, '.dockerignore'), '.docker-config\n');
    daemon = await startDaemonWithBusybox('bench-build');
    const moord = await measure(daemon.host, dir);
    let dockerd: BuildTimes | undefined;
    if (haveDockerd()) {
      reference = await startReferenceDockerd('bench-build');
      const load = await run('sh', [
        '-c',
        `docker -H ${daemon.host} save busybox | docker -H ${reference.host} load`,
      ]);
      must('load busybox into the reference dockerd', load);
      dockerd = await measure(reference.host, dir);
    }
    const load = (await run('cat', ['/proc/loadavg'])).stdout.trim();
    console.log(`builds of a 6-step Dockerfile, median of ${RUNS} (load average ${load})`);
    console.log(
      report('moord: uncached build', ms(moord.uncached), '≤ 500 ms', moord.uncached <= 0.5),
    );
    console.log(
      report('moord: fully cached rebuild', ms(moord.cached), '≤ 50 ms', moord.cached <= 0.05),
    );
    if (dockerd) {
      console.log(
        `reference dockerd (vfs): uncached ${ms(dockerd.uncached)}, cached ${ms(dockerd.cached)}`,
      );
      console.log(
        `ratio moord/dockerd: uncached ${(moord.uncached / dockerd.uncached).toFixed(2)}×, cached ${(moord.cached / dockerd.cached).toFixed(2)}×`,
      );
    }
  } finally {
    await cleanup();
  }
}

await main();
