import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { swaggerErrors } from '../helpers/swagger.js';

const isRoot = process.getuid?.() === 0;

// The stats documents are read at depth as Docker's JSON (checked against the swagger).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stats = Record<string, any>;

/** GET a stats URL; resolves with the JSON documents once the response ends (or after `ms`). */
function statsDocs(
  socket: string,
  path: string,
  ms = 10_000,
): Promise<{ status: number; docs: Stats[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        const docs = text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Stats);
        resolve({ status: res.statusCode ?? 0, docs });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no end of ${path} in ${ms} ms`)), ms);
    req.on('error', reject);
    req.end();
  });
}

/** Counts the documents a stream sends in `ms`, then leaves (the server must not mind). */
function emptyFrames(socket: string, path: string, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const req = request({ socketPath: socket, path }, (res) => {
      res.on('data', (c: Buffer) => (count += c.toString().split('\n').filter(Boolean).length));
    });
    req.on('error', (err) => (req.destroyed ? resolve(count) : reject(err)));
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve(count);
    }, ms);
  });
}

/**
 * Container stats on the real kernel: the API's samples (validated against the swagger) agree
 * with the container's cgroup files, precpu is the sample before, a --cpus 0.5 busy loop reads
 * about 50% in `docker stats`, and streams end cleanly when the container stops or is gone.
 */
describe('container stats', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-stats-'));
    daemon = await startDaemonWithBusybox('stats');
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('samples agree with the cgroup files; docker stats shows ≈50% CPU for --cpus 0.5', async () => {
    const run = await docker([
      ...[
        'run',
        '-d',
        '--name',
        'st-busy',
        '--cpus',
        '0.5',
        '--memory',
        '64m',
        '--pids-limit',
        '50',
      ],
      ...['busybox', 'sh', '-c', 'while :; do :; done'],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const socket = (daemon as TestDaemon).socket;
    const { status, docs } = await statsDocs(socket, '/containers/st-busy/stats?stream=false');
    assert.equal(status, 200);
    assert.equal(docs.length, 1);
    const stats = docs[0] as Stats;
    assert.deepEqual(swaggerErrors('ContainerStatsResponse', stats), []);
    assert.equal(stats['name'], '/st-busy');
    assert.notEqual(stats['preread'], '0001-01-01T00:00:00Z');
    assert.equal(stats['memory_stats'].limit, 64 * 1024 * 1024);
    assert.equal(stats['pids_stats'].limit, 50);
    assert.ok(stats['networks']?.eth0, 'the bridge interface');
    const cpuDelta =
      stats['cpu_stats'].cpu_usage.total_usage - stats['precpu_stats'].cpu_usage.total_usage;
    const systemDelta =
      stats['cpu_stats'].system_cpu_usage - stats['precpu_stats'].system_cpu_usage;
    const percent = (cpuDelta / systemDelta) * stats['cpu_stats'].online_cpus * 100;
    assert.ok(percent > 30 && percent < 70, `CPU ${percent}%`);
    // What the container's own cgroup files say.
    const files = await docker([
      ...['exec', 'st-busy', 'sh', '-c'],
      'cat /sys/fs/cgroup/pids/pids.current /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/pids.current /sys/fs/cgroup/memory.max',
    ]);
    const [pids, limit] = files.stdout.trim().split('\n').map(Number);
    assert.equal(limit, 64 * 1024 * 1024);
    assert.ok(pids !== undefined && pids >= 1);
    const cli = await docker([
      'stats',
      '--no-stream',
      '--format',
      '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}',
      'st-busy',
    ]);
    const m = /^st-busy (\d+\.\d+)% \S+ \/ 64MiB (\d+)$/.exec(cli.stdout.trim());
    assert.ok(m, cli.stdout + cli.stderr);
    assert.ok(Number(m[1]) > 30 && Number(m[1]) < 70, cli.stdout);
  });

  test('a stream sends a sample a second with the one before as precpu, and ends when the container stops', async () => {
    const socket = (daemon as TestDaemon).socket;
    const streamed = statsDocs(socket, '/containers/st-busy/stats');
    await new Promise((r) => setTimeout(r, 2500));
    await docker(['stop', '-t', '0', 'st-busy']);
    const { docs } = await streamed;
    assert.ok(docs.length >= 2, `${docs.length} samples`);
    const [first, second] = docs as [Stats, Stats];
    assert.equal(first['preread'], '0001-01-01T00:00:00Z');
    assert.equal(second['preread'], first['read']);
    assert.deepEqual(second['precpu_stats'], first['cpu_stats']);
    // Stopped: without a stream one empty sample; a stream gets one every second (dockerd's).
    const stopped = await statsDocs(socket, '/containers/st-busy/stats?stream=false');
    assert.equal(stopped.docs.length, 1);
    assert.equal(stopped.docs[0]?.['read'], '0001-01-01T00:00:00Z');
    const empties = await emptyFrames(socket, '/containers/st-busy/stats', 2200);
    assert.ok(empties >= 2, `${empties} empty frames`);
    const oneShot = await statsDocs(socket, '/containers/st-busy/stats?stream=false&one-shot=true');
    assert.deepEqual(oneShot.docs[0]?.['memory_stats'], {});
    await docker(['rm', 'st-busy']);
    const gone = await statsDocs(socket, '/containers/st-busy/stats?stream=false');
    assert.equal(gone.status, 404);
  });
});
