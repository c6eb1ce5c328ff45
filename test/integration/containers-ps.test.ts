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
  until,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/** One API call on the daemon's socket: status and body text. */
function api(
  daemon: TestDaemon,
  method: string,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: daemon.socket, method, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `docker ps`: Docker's status strings, filters, and the wait conditions and prune. */
describe('listing and waiting with the docker CLI', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-ps-cfg-'));
    daemon = await startDaemonWithBusybox('ps');
    docker = dockerCli(daemon, config);
    const setup: string[][] = [
      ['run', '-d', '--name', 'ps-up', '-l', 'tier=web', 'busybox', 'sleep', '300'],
      ['run', '--name', 'ps-exited', 'busybox', 'sh', '-c', 'exit 130'],
      ['create', '--name', 'ps-created', '-l', 'tier=db', 'busybox', 'true'],
      ['run', '-d', '--name', 'ps-paused', 'busybox', 'sleep', '300'],
      ['pause', 'ps-paused'],
      [
        'run',
        '-d',
        '--name',
        'ps-sick',
        '--health-cmd',
        'false',
        '--health-interval',
        '100ms',
      ].concat(['--health-retries', '1', 'busybox', 'sleep', '300']),
      ['run', '-d', '--name', 'ps-loop', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1'],
    ];
    for (const args of setup) {
      const r = await docker(args);
      assert.ok(r.code === 0 || args.includes('ps-exited'), `${args.join(' ')}: ${r.stderr}`);
    }
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  const status = async (name: string) =>
    (
      await docker(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'])
    ).stdout.trim();
  const names = async (...args: string[]) =>
    (await docker(['ps', ...args, '--format', '{{.Names}}'])).stdout
      .trim()
      .split('\n')
      .sort()
      .join(' ');

  test('Status is Docker human string for every state', async () => {
    assert.match(await status('ps-up'), /^Up (Less than a second|\d+ seconds?)$/);
    assert.match(
      await status('ps-exited'),
      /^Exited \(130\) (Less than a second|\d+ seconds?) ago$/,
    );
    assert.equal(await status('ps-created'), 'Created');
    assert.match(await status('ps-paused'), /^Up .* \(Paused\)$/);
    await until(async () => /\(unhealthy\)$/.test(await status('ps-sick')));
    await until(async () => /^Restarting \(1\) .* ago$/.test(await status('ps-loop')));
    const names = await docker(['ps', '-a', '--format', '{{json .}}']);
    for (const line of names.stdout.trim().split('\n')) {
      assert.doesNotMatch((JSON.parse(line) as { Names: string }).Names, /^\//);
    }
    const raw = await api(daemon as TestDaemon, 'GET', '/containers/json?all=1');
    const list = JSON.parse(raw.body) as Array<{ Names: string[] }>;
    assert.ok(list.every((c) => c.Names[0]?.startsWith('/')));
  });

  test('filters: name part, label, status, exited, ancestor, before, since, health, id', async () => {
    assert.equal(await names('-a', '--filter', 'name=ps-e'), 'ps-exited');
    assert.equal(await names('-a', '--filter', 'label=tier'), 'ps-created ps-up');
    assert.equal(await names('-a', '--filter', 'label=tier=db'), 'ps-created');
    assert.equal(await names('-a', '--filter', 'status=created'), 'ps-created');
    assert.equal(await names('-a', '--filter', 'status=paused'), 'ps-paused');
    assert.equal(await names('-a', '--filter', 'exited=130'), 'ps-exited');
    assert.equal(await names('--filter', 'health=unhealthy'), 'ps-sick');
    assert.equal(await names('-a', '--filter', 'before=ps-exited'), 'ps-up');
    assert.equal(await names('-a', '--filter', 'since=ps-sick'), 'ps-loop');
    assert.equal((await names('-a', '--filter', 'ancestor=busybox')).split(' ').length, 6);
    const id = (await docker(['inspect', '-f', '{{.Id}}', 'ps-up'])).stdout.trim();
    assert.equal(await names('--filter', `id=${id.slice(0, 6)}`), 'ps-up');
    const bad = await docker(['ps', '--filter', 'colour=red']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid filter 'colour'/);
  });

  test('-q, -n, -l, -s and --no-trunc', async () => {
    const quiet = await docker(['ps', '-aq']);
    assert.ok(
      quiet.stdout
        .trim()
        .split('\n')
        .every((l) => /^[a-f0-9]{12}$/.test(l)),
    );
    assert.equal(await names('-n', '2'), 'ps-loop ps-sick');
    assert.equal(await names('-l'), 'ps-loop');
    await docker(['exec', 'ps-up', 'sh', '-c', 'head -c 2000 /dev/zero > /blob']);
    const size = await docker(['ps', '-s', '--filter', 'name=ps-up', '--format', '{{.Size}}']);
    assert.match(size.stdout.trim(), /^2(\.\d+)?kB \(virtual [\d.]+MB\)$/);
    const full = await docker([
      'ps',
      '--no-trunc',
      '--filter',
      'name=ps-up',
      '--format',
      '{{.ID}}',
    ]);
    assert.match(full.stdout.trim(), /^[a-f0-9]{64}$/);
  });

  test('304 answers: start of a running, stop of a stopped container succeed', async () => {
    assert.equal((await docker(['start', 'ps-up'])).code, 0);
    assert.equal((await docker(['stop', 'ps-exited'])).code, 0);
    const raw = await api(daemon as TestDaemon, 'POST', '/containers/ps-up/start');
    assert.equal(raw.status, 304);
  });

  test('wait conditions not-running, next-exit, removed; bad condition', async () => {
    const exited = await api(daemon as TestDaemon, 'POST', '/containers/ps-exited/wait');
    assert.deepEqual(JSON.parse(exited.body), { StatusCode: 130 });
    await docker(['run', '-d', '--name', 'ps-wait', 'busybox', 'sleep', '300']);
    const next = api(daemon as TestDaemon, 'POST', '/containers/ps-wait/wait?condition=next-exit');
    const removed = api(daemon as TestDaemon, 'POST', '/containers/ps-wait/wait?condition=removed');
    await docker(['kill', 'ps-wait']);
    assert.equal(JSON.parse((await next).body).StatusCode, 137);
    await docker(['rm', 'ps-wait']);
    assert.equal(JSON.parse((await removed).body).StatusCode, 137);
    const bad = await api(daemon as TestDaemon, 'POST', '/containers/ps-up/wait?condition=soon');
    assert.equal(bad.status, 400);
  });

  test('container prune removes stopped containers matching the filters', async () => {
    const labelled = await docker(['container', 'prune', '-f', '--filter', 'label=tier=db']);
    assert.equal(labelled.code, 0, labelled.stderr);
    assert.match(labelled.stdout, /^Deleted Containers:\n[a-f0-9]{64}\n/);
    assert.equal(await names('-a', '--filter', 'label=tier=db'), '');
    await docker(['rm', '-f', 'ps-loop']);
    const all = await docker(['container', 'prune', '-f']);
    assert.match(all.stdout, /Total reclaimed space:/);
    assert.equal(await names('-a'), 'ps-paused ps-sick ps-up');
  });
});
