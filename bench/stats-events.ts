/**
 * Stats and events benchmark, through the Engine API of a test moord with busybox:
 *   1. the latency of `GET /containers/{id}/stats?stream=false&one-shot=true` on a running
 *      container, beside `runc events --stats` of the same container (the runtime reading the
 *      same cgroup), interleaved; the ratio is reported;
 *   2. events with 100 subscribers: 100 `GET /events` streams open, then 50 volume
 *      create/remove pairs (100 events); the time until every subscriber has them all, beside
 *      the same with one subscriber.
 * Needs root. Run: npm run bench:stats-events [-- --runs 50 --subscribers 100]. Everything is
 * removed at the end, also on failure.
 */
import { request } from 'node:http';
import { join } from 'node:path';

import { startDaemonWithBusybox } from '../test/helpers/containers.js';
import type { TestDaemon } from '../test/helpers/moord.js';
import { run } from '../test/helpers/run.js';
import { cleanupBenchDaemon, numberArg } from './measure.js';

const RUNS = numberArg('runs', 50);
const SUBSCRIBERS = numberArg('subscribers', 100);
const PAIRS = 50;

function api(socket: string, method: string, path: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: socket, method, path, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function statsLatency(daemon: TestDaemon, id: string): Promise<void> {
  const ours: number[] = [];
  const runcs: number[] = [];
  const runcRoot = join(daemon.execRoot, 'runc');
  for (let i = 0; i < RUNS; i++) {
    let start = process.hrtime.bigint();
    await api(daemon.socket, 'GET', `/containers/${id}/stats?stream=false&one-shot=true`);
    ours.push(Number(process.hrtime.bigint() - start) / 1e6);
    start = process.hrtime.bigint();
    const r = await run('runc', ['--root', runcRoot, 'events', '--stats', id]);
    if (r.code !== 0) throw new Error(`runc events: ${r.stderr}`);
    runcs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const [a, b] = [median(ours), median(runcs)];
  console.log(
    `stats one-shot: ${a.toFixed(1)} ms median (runc events --stats: ${b.toFixed(1)} ms), ratio ${(a / b).toFixed(2)}×`,
  );
}

/** Opens `count` event streams, makes 2×PAIRS events, and times their delivery to all. */
async function eventFanout(daemon: TestDaemon, count: number, round: number): Promise<number> {
  const since = (Date.now() / 1000).toFixed(3);
  const expected = PAIRS * 2;
  const requests: Array<ReturnType<typeof request>> = [];
  let lastArrival = 0n;
  const delivered = Array.from({ length: count }, () => {
    return new Promise<void>((resolve, reject) => {
      const req = request(
        {
          socketPath: daemon.socket,
          path: `/events?since=${since}&filters=${encodeURIComponent('{"type":["volume"]}')}`,
        },
        (res) => {
          let seen = 0;
          res.on('data', (c: Buffer) => {
            seen += c.toString().split('\n').filter(Boolean).length;
            if (seen >= expected) {
              lastArrival = process.hrtime.bigint();
              resolve();
            }
          });
        },
      );
      req.on('error', (err) => (isHangUp(err) ? resolve() : reject(err)));
      req.end();
      requests.push(req);
    });
  });
  const isHangUp = (err: Error) =>
    err.message.includes('socket hang up') || err.message.includes('aborted');
  await new Promise((r) => setTimeout(r, 200));
  const start = process.hrtime.bigint();
  for (let i = 0; i < PAIRS; i++) {
    const name = `bench-ev-${round}-${i}`;
    await api(daemon.socket, 'POST', '/volumes/create', { Name: name });
    await api(daemon.socket, 'DELETE', `/volumes/${name}`);
  }
  await Promise.all(delivered);
  for (const req of requests) req.destroy();
  return Number(lastArrival - start) / 1e6;
}

async function main(): Promise<void> {
  let daemon: TestDaemon | undefined;
  try {
    daemon = await startDaemonWithBusybox('bench-stats');
    const created = JSON.parse(
      await api(daemon.socket, 'POST', '/containers/create?name=bench-stats', {
        Image: 'busybox',
        Cmd: ['sleep', '600'],
        HostConfig: { NetworkMode: 'none' },
      }),
    ) as { Id: string };
    await api(daemon.socket, 'POST', `/containers/${created.Id}/start`);
    await statsLatency(daemon, created.Id);
    const one = await eventFanout(daemon, 1, 0);
    const many = await eventFanout(daemon, SUBSCRIBERS, 1);
    console.log(
      `events: ${PAIRS * 2} events to ${SUBSCRIBERS} subscribers in ${many.toFixed(0)} ms (1 subscriber: ${one.toFixed(0)} ms), ratio ${(many / one).toFixed(2)}×`,
    );
    await api(daemon.socket, 'DELETE', `/containers/${created.Id}?force=1`);
  } finally {
    await cleanupBenchDaemon(daemon);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
