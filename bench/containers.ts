/**
 * Container benchmark, against the performance goals of DESIGN.md, through the real docker CLI
 * against a test moord with busybox:
 *   1. `docker run --rm --network none busybox true` beside `runc run` of a bundle made from
 *      the same image (its layers from `docker save`, `runc spec`'s config), interleaved, and
 *      the same run on the default bridge network (ratio to `--network none`);
 *   2. 50 × `docker run -d busybox sleep 300`, 8 at a time (with `GET /_ping` round trips
 *      meanwhile: how responsive the daemon stays), then one `docker rm -f` of all; beside it
 *      the same burst without moord (burst-floor.ts: 50 × `runc run -d`, 50 × `docker
 *      version`), and the host's and moord's CPU time during the starts;
 *   3. the monitors' (conmon's) memory per running container, Pss and RSS;
 *   4. `docker logs` of a container that printed 200,000 lines, to /dev/null.
 * moord's exec root and the reference's runc root are each on a tmpfs, as /run is on a usual
 * host (on this machine it is on disk); data roots and bundles stay on disk.
 * Needs root. Run: npm run bench:containers [-- --runs 20 --count 50 --parallel 8
 * --lines 200000 --debug]; --debug runs moord with -D and prints API request times per route
 * for each part. Everything (containers, daemon, temp dirs) is removed at the end, on failure
 * and on SIGINT/SIGTERM. The host's load average is printed: other work skews every number.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cleanupContainerDaemon, startDaemonWithBusybox } from '../test/helpers/containers.js';
import { MOOR, type TestDaemon, startTestDaemon, unmountUnder } from '../test/helpers/moord.js';
import { type RunResult, run } from '../test/helpers/run.js';
import {
  type BurstFloor,
  cpuSeconds,
  engineCpuSeconds,
  hostBusySeconds,
  measureBurstFloor,
} from './burst-floor.js';
import {
  cleanupBenchDaemon,
  median,
  ms,
  must,
  numberArg,
  pool,
  report,
  timedCommand,
} from './measure.js';

const RUNS = numberArg('runs', 20);
const COUNT = numberArg('count', 50);
const PARALLEL = numberArg('parallel', 8);
const LINES = numberArg('lines', 200_000);
const IDLE_SECONDS = 10;
const DEBUG = process.argv.includes('--debug');

const mb = (kb: number) => `${(kb / 1024).toFixed(2)} MB`;

type Docker = (args: string[]) => Promise<RunResult>;

/**
 * An OCI bundle with busybox's rootfs taken from the image (`docker save`, its layers
 * extracted in order; busybox has one, without whiteouts) and `runc spec`'s config.
 */
async function prepareRuncBundle(dir: string, dockerEnv: NodeJS.ProcessEnv): Promise<string> {
  const saved = join(dir, 'saved');
  const bundle = join(dir, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  await mkdir(saved);
  await mkdir(rootfs, { recursive: true });
  const save = await run('sh', ['-c', `docker save busybox | tar -C ${saved} -x`], {
    env: dockerEnv,
  });
  must('docker save', save);
  const manifest = JSON.parse(await readFile(join(saved, 'manifest.json'), 'utf8')) as {
    Layers: string[];
  }[];
  for (const layer of manifest[0]?.Layers ?? []) {
    must('tar -x layer', await run('tar', ['-C', rootfs, '-xf', join(saved, layer)]));
  }
  await rm(saved, { recursive: true });
  must('runc spec', await run('runc', ['spec', '--bundle', bundle]));
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as {
    process: { terminal: boolean; args: string[] };
  };
  config.process.terminal = false;
  config.process.args = ['true'];
  await writeFile(configPath, JSON.stringify(config));
  return bundle;
}

interface RunComparison {
  docker: number;
  runc: number;
  /** `docker run --rm busybox true` on the default bridge network. */
  bridge: number;
  /** `docker version` against moord: what the CLI itself costs, part of every docker number. */
  cliFloor: number;
}

/** Median seconds of `docker run --rm --network none busybox true` and of `runc run`. */
async function measureRun(
  docker: Docker,
  dockerEnv: NodeJS.ProcessEnv,
  runcRoot: string,
  bundle: string,
): Promise<RunComparison> {
  const bridgeTimes: number[] = [];
  const dockerTimes: number[] = [];
  const runcTimes: number[] = [];
  const cliTimes: number[] = [];
  const warmup = 2;
  // Interleaved, so that drift of the host affects both alike.
  for (let i = 0; i < RUNS + warmup; i++) {
    const r = await timedCommand('runc', [
      '--root',
      runcRoot,
      'run',
      '--bundle',
      bundle,
      `bench-ref-${i}`,
    ]);
    must('runc run', r);
    const d = await timedCommand(
      'docker',
      ['run', '--rm', '--network', 'none', 'busybox', 'true'],
      dockerEnv,
    );
    must('docker run --rm', d);
    const b = await timedCommand('docker', ['run', '--rm', 'busybox', 'true'], dockerEnv);
    must('docker run --rm (bridge)', b);
    const v = await timedCommand('docker', ['version'], dockerEnv);
    must('docker version', v);
    if (i < warmup) continue;
    runcTimes.push(r.seconds);
    dockerTimes.push(d.seconds);
    bridgeTimes.push(b.seconds);
    cliTimes.push(v.seconds);
  }
  const left = await docker(['ps', '-aq']);
  if (left.stdout.trim() !== '') throw new Error(`--rm left containers: ${left.stdout}`);
  return {
    docker: median(dockerTimes),
    runc: median(runcTimes),
    bridge: median(bridgeTimes),
    cliFloor: median(cliTimes),
  };
}

interface Memory {
  pssKb: number[];
  rssKb: number[];
}

function statusField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`no ${field} in ${text.slice(0, 200)}`);
  return Number(match[1]);
}

/** Pss (smaps_rollup) and VmRSS of each container's monitor, found by its pid file. */
async function monitorMemory(daemon: TestDaemon, ids: readonly string[]): Promise<Memory> {
  const memory: Memory = { pssKb: [], rssKb: [] };
  for (const id of ids) {
    const pidText = await readFile(join(daemon.execRoot, 'bundles', id, 'monitor.pid'), 'utf8');
    const pid = Number.parseInt(pidText, 10);
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.split('\0')[0]?.endsWith('conmon')) throw new Error(`pid ${pid} is not conmon`);
    memory.pssKb.push(statusField(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss'));
    memory.rssKb.push(statusField(await readFile(`/proc/${pid}/status`, 'utf8'), 'VmRSS'));
  }
  return memory;
}

interface Fleet {
  startSeconds: number;
  removeSeconds: number;
  memory: Memory;
  /** `GET /_ping` round trips (ms) while the containers start: is the daemon responsive? */
  pingMs: number[];
  /** moord's CPU time (ms per second) while the containers run and nothing is asked of it. */
  idleCpuMsPerSecond: number;
  /** CPU seconds during the starts: the whole host's, and moord's with its launchers'. */
  startCpu: { host: number; engine: number };
}

/** moord's CPU use (ms per second) over IDLE_SECONDS in which no client asks anything. */
async function idleCpu(pid: number): Promise<number> {
  const before = await cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  return ((await cpuSeconds(pid)) - before) * (1000 / IDLE_SECONDS);
}

/** Pings the daemon every 5 ms until `stop` resolves; returns the round trips (ms). */
async function pingWhile(socketPath: string, stop: Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.finally(() => (done = true));
  const times: number[] = [];
  while (!done) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath, path: '/_ping' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return times;
}

/** Starts COUNT sleeping containers PARALLEL at a time, measures their monitors, removes them. */
async function measureFleet(docker: Docker, daemon: TestDaemon): Promise<Fleet> {
  const pid = Number.parseInt(await readFile(daemon.pidfile, 'utf8'), 10);
  const cpuBefore = { host: await hostBusySeconds(), engine: await engineCpuSeconds(pid) };
  const started = process.hrtime.bigint();
  const starting = pool(COUNT, PARALLEL, async (i) => {
    const r = await docker(['run', '-d', '--name', `bench-sleep-${i}`, 'busybox', 'sleep', '300']);
    must('docker run -d', r);
    return r.stdout.trim();
  });
  const pinging = pingWhile(daemon.socket, starting);
  const ids = await starting;
  const startSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const startCpu = {
    host: (await hostBusySeconds()) - cpuBefore.host,
    engine: (await engineCpuSeconds(pid)) - cpuBefore.engine,
  };
  const pingMs = await pinging;
  const running = await docker(['ps', '-q', '--no-trunc', '--filter', 'status=running']);
  const count = running.stdout.split('\n').filter((l) => l !== '').length;
  if (count !== COUNT) throw new Error(`${count} of ${COUNT} containers running`);
  const memory = await monitorMemory(daemon, ids);
  const idleCpuMsPerSecond = await idleCpu(pid);
  const removeStart = process.hrtime.bigint();
  must('docker rm -f', await docker(['rm', '-f', ...ids]));
  const removeSeconds = Number(process.hrtime.bigint() - removeStart) / 1e9;
  const left = await docker(['ps', '-aq']);
  if (left.stdout.trim() !== '') throw new Error(`rm -f left containers: ${left.stdout}`);
  return { startSeconds, removeSeconds, memory, pingMs, idleCpuMsPerSecond, startCpu };
}

/** Median seconds of `docker logs` (to /dev/null) of a container that printed LINES lines. */
async function measureLogs(docker: Docker, dockerEnv: NodeJS.ProcessEnv): Promise<number> {
  must(
    'docker run seq',
    await docker(['run', '-d', '--name', 'bench-logs', 'busybox', 'seq', String(LINES)]),
  );
  must('docker wait', await docker(['wait', 'bench-logs']));
  const check = await run('sh', ['-c', 'docker logs bench-logs | wc -l'], { env: dockerEnv });
  must('docker logs | wc -l', check);
  if (Number(check.stdout.trim()) !== LINES) {
    throw new Error(`docker logs gave ${check.stdout.trim()} lines, not ${LINES}`);
  }
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = await timedCommand('docker', ['logs', 'bench-logs'], dockerEnv);
    must('docker logs', r);
    if (i > 0) times.push(r.seconds);
  }
  must('docker rm (logs)', await docker(['rm', 'bench-logs']));
  return median(times);
}

/** With --debug: median and total time per API route, from moord's debug request log. */
function requestSummary(logs: string): string[] {
  const perRoute = new Map<string, number[]>();
  for (const line of logs.split('\n')) {
    const m = /msg="API request" method=(\S+) path=(\S+) status=\d+ duration=([\d.]+)ms/.exec(line);
    if (!m) continue;
    const path = (m[2] ?? '')
      .replace(/^"|"$/g, '')
      .replace(/\?.*$/, '')
      .replace(/^\/v1\.\d+/, '')
      .replace(/\/[0-9a-f]{64}|\/bench-[\w-]+/g, '/{id}');
    const key = `${m[1] ?? ''} ${path}`;
    const list = perRoute.get(key) ?? [];
    list.push(Number(m[3]));
    perRoute.set(key, list);
  }
  return [...perRoute.entries()]
    .sort((a, b) => b[1].reduce((s, v) => s + v, 0) - a[1].reduce((s, v) => s + v, 0))
    .map(([key, list]) => {
      const med = median(list).toFixed(2).padStart(8);
      const max = Math.max(...list)
        .toFixed(2)
        .padStart(8);
      return `${key.padEnd(40)} n=${String(list.length).padStart(4)}  median ${med} ms  max ${max} ms`;
    });
}

/** The 1-minute load average: other work on the host skews every number here. */
async function loadAverage(): Promise<string> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ')[0] ?? '?';
}

async function startDaemon(): Promise<TestDaemon> {
  if (!DEBUG) return startDaemonWithBusybox('bench-containers', { execRootOnTmpfs: true });
  const daemon = await startTestDaemon('bench-containers', {
    config: { debug: true },
    execRootOnTmpfs: true,
  });
  const boot = await run(MOOR, ['-H', daemon.host, 'bootstrap']);
  if (boot.code !== 0) {
    await cleanupContainerDaemon(daemon);
    throw new Error(`bootstrap failed: ${boot.stderr}`);
  }
  return daemon;
}

/** Removes what the runc reference may have left: its containers and the temp dir. */
async function cleanupReference(dir: string, runcRoot: string): Promise<void> {
  await run('sh', [
    '-c',
    `runc --root ${runcRoot} list -q 2>/dev/null | xargs -r -n1 runc --root ${runcRoot} delete -f`,
  ]);
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
}

interface Results {
  runs: RunComparison;
  fleet: Fleet;
  floor: BurstFloor;
  logsSeconds: number;
  /** The load average before and after. */
  load: [string, string];
}

async function printReport(results: Results): Promise<void> {
  const { runs, fleet, floor, logsSeconds } = results;
  const ratio = runs.docker / runs.runc;
  const bridgeRatio = runs.bridge / runs.docker;
  const pss = median(fleet.memory.pssKb);
  const rss = median(fleet.memory.rssKb);
  const cpus = (await readFile('/proc/cpuinfo', 'utf8')).match(/^processor/gm)?.length ?? 0;
  console.log(`\ncontainer benchmark (${cpus} CPUs; docker CLI → moord → conmon → runc)`);
  console.log(`host load average (1 min): ${results.load[0]} before, ${results.load[1]} after`);
  console.log(`runc run (reference), median of ${RUNS}`.padEnd(46), ms(runs.runc).padStart(12));
  console.log(
    `docker run --rm --network none, median of ${RUNS}`.padEnd(46),
    ms(runs.docker).padStart(12),
  );
  console.log(
    `docker run --rm (default bridge), median of ${RUNS}`.padEnd(46),
    ms(runs.bridge).padStart(12),
  );
  console.log(
    `  (docker CLI floor: docker version, median)`.padEnd(46),
    ms(runs.cliFloor).padStart(12),
  );
  const lines = [
    report('docker run --rm / runc run ratio', `${ratio.toFixed(2)}×`, '≤ 2×', ratio <= 2),
    report(
      'run --rm on the bridge / with --network none',
      `${bridgeRatio.toFixed(2)}×`,
      '≤ 1.5×',
      bridgeRatio <= 1.5,
    ),
    report(
      `${COUNT} × docker run -d, ${PARALLEL} at a time`,
      `${fleet.startSeconds.toFixed(2)} s`,
      '≤ 2 s',
      fleet.startSeconds <= 2,
    ),
    report(
      `docker rm -f of ${COUNT} (one command)`,
      `${fleet.removeSeconds.toFixed(2)} s`,
      '≤ 1 s',
      fleet.removeSeconds <= 1,
    ),
    report('monitor Pss per container (median)', mb(pss), '≤ 2 MB', pss <= 2048),
    report(
      `docker logs of ${LINES} lines > /dev/null`,
      `${logsSeconds.toFixed(3)} s`,
      '≤ 0.5 s',
      logsSeconds <= 0.5,
    ),
  ];
  for (const line of lines) console.log(line);
  const { host, engine } = fleet.startCpu;
  console.log(
    `  (the same burst without moord: ${COUNT} × runc run -d ${floor.runcSeconds.toFixed(2)} s, ` +
      `${COUNT} × docker version ${floor.cliSeconds.toFixed(2)} s, ${PARALLEL} at a time)`,
  );
  console.log(
    `  (CPU during the ${COUNT} starts: ${host.toFixed(2)} s of the host's ` +
      `${(cpus * fleet.startSeconds).toFixed(2)} s; moord and its launchers ${engine.toFixed(2)} s)`,
  );
  const pings = [...fleet.pingMs].sort((a, b) => a - b);
  const at = (q: number) => ms((pings[Math.floor((pings.length - 1) * q)] ?? 0) / 1000);
  console.log(
    `  (GET /_ping during the ${COUNT} starts: median ${at(0.5)}, p95 ${at(0.95)}, ` +
      `${pings.length} pings)`,
  );
  console.log(
    `  (monitor Pss max ${mb(Math.max(...fleet.memory.pssKb))}; VmRSS median ${mb(rss)}, ` +
      `max ${mb(Math.max(...fleet.memory.rssKb))}; RSS counts shared libc pages in full)`,
  );
  console.log(
    `  (moord CPU while idle with ${COUNT} containers running: ` +
      `${fleet.idleCpuMsPerSecond.toFixed(1)} ms per second, over ${IDLE_SECONDS} s)`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-bench-containers-'));
  // runc's state on a tmpfs, as its default /run/runc is on a usual host (moord's exec root too).
  const runcRoot = join(dir, 'runc');
  await mkdir(runcRoot, { mode: 0o700 });
  must('mount tmpfs', await run('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'tmpfs', runcRoot]));
  let daemon: TestDaemon | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await cleanupBenchDaemon(daemon);
      await cleanupReference(dir, runcRoot);
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const loadBefore = await loadAverage();
    daemon = await startDaemon();
    const dockerEnv = { DOCKER_HOST: daemon.host, DOCKER_CONFIG: join(dir, 'docker-config') };
    await mkdir(dockerEnv.DOCKER_CONFIG);
    const docker: Docker = (args) => run('docker', args, { env: dockerEnv, timeoutMs: 120_000 });
    const bundle = await prepareRuncBundle(dir, dockerEnv);

    // Where each part's requests start in moord's log (for --debug).
    const marks: [string, number][] = [];
    const mark = (name: string) => marks.push([name, daemon?.logs().length ?? 0]);
    mark('docker run --rm');
    const runs = await measureRun(docker, dockerEnv, runcRoot, bundle);
    const floor = await measureBurstFloor({
      count: COUNT,
      parallel: PARALLEL,
      runcRoot,
      bundle,
      dockerEnv,
    });
    mark(`${COUNT} × docker run -d, then docker rm -f`);
    const fleet = await measureFleet(docker, daemon);
    mark('docker logs');
    const logsSeconds = await measureLogs(docker, dockerEnv);
    mark('end');

    const loadAfter = await loadAverage();
    await printReport({ runs, fleet, floor, logsSeconds, load: [loadBefore, loadAfter] });
    if (DEBUG) {
      const logs = daemon.logs();
      for (let i = 0; i + 1 < marks.length; i++) {
        const [name, from] = marks[i] as [string, number];
        const to = (marks[i + 1] as [string, number])[1];
        console.log(`\nmoord API requests during "${name}" (from the -D log), by total time:`);
        for (const line of requestSummary(logs.slice(from, to))) console.log(`  ${line}`);
      }
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}

await main();
