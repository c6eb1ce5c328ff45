import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  monitorProcesses,
  startDaemonWithBusybox,
  until,
} from '../helpers/containers.js';
import { type TestDaemon, relaunch } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/**
 * moord keeps a monitor started ahead for the id of its next container; a create without a
 * terminal or stdin takes it, a failed one gives it back, and the daemon's stop ends it.
 */
describe('the monitor started ahead', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-pool-cfg-'));
    daemon = await startDaemonWithBusybox('pool');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  /** The one monitor that belongs to no container yet. */
  const pooled = async () => {
    const listed = (await docker(['ps', '-aq', '--no-trunc'])).stdout;
    let waiting: Array<{ pid: number; id: string }> = [];
    await until(async () => {
      waiting = (await monitorProcesses((daemon as TestDaemon).dir)).filter(
        (m) => !listed.includes(m.id),
      );
      return waiting.length === 1;
    });
    return waiting[0] as { pid: number; id: string };
  };

  test('a create takes its id and monitor; the next one is started after it', async () => {
    const first = await pooled();
    const created = await docker(['create', '--name', 'pool-a', 'busybox', 'echo', 'pooled']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), first.id);
    const next = await pooled();
    assert.notEqual(next.id, first.id);
    const started = await docker(['start', '-a', 'pool-a']);
    assert.equal(started.stdout, 'pooled\n', started.stderr);
    assert.equal((await docker(['rm', 'pool-a'])).code, 0);
  });

  test('a terminal or stdin needs a monitor of its own; a refused create gives it back', async () => {
    const waiting = await pooled();
    const tty = await docker(['create', '-t', '-i', '--name', 'pool-tty', 'busybox', 'true']);
    assert.equal(tty.code, 0, tty.stderr);
    assert.notEqual(tty.stdout.trim(), waiting.id);
    const bad = await docker(['create', '--name', 'pool/bad', 'busybox', 'true']);
    assert.match(bad.stderr, /Invalid container name/);
    const still = await pooled();
    assert.deepEqual(still, waiting, 'the same monitor waits, for the same id');
    assert.equal((await docker(['rm', 'pool-tty'])).code, 0);
    // Refused at its volume, after its directories were made: the next create has a monitor
    // and directories of its own.
    const refused = await docker([
      'create',
      '--mount',
      'type=volume,src=pool-vol,dst=/d,volume-opt=foo=bar',
      'busybox',
    ]);
    assert.match(refused.stderr, /invalid option: "foo"/);
    const after = await docker(['run', '--rm', 'busybox', 'echo', 'still fine']);
    assert.equal(after.stdout, 'still fine\n', after.stderr);
  });

  test('a monitor that died while it waited is replaced at the start', async () => {
    const waiting = await pooled();
    process.kill(waiting.pid, 'SIGKILL');
    await until(
      async () =>
        !(await monitorProcesses((daemon as TestDaemon).dir)).some((m) => m.pid === waiting.pid),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const run = await docker(['run', '--rm', 'busybox', 'echo', 'replaced']);
    assert.equal(run.stdout, 'replaced\n', run.stderr);
    const none = await docker(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'again']);
    assert.equal(none.stdout, 'again\n', none.stderr);
  });

  test('the daemon stop ends it; the next daemon starts its own', async () => {
    const waiting = await pooled();
    const d = daemon as TestDaemon;
    await d.stop();
    assert.deepEqual(await monitorProcesses(d.dir), []);
    assert.equal(existsSync(join(d.dataRoot, 'containers', waiting.id)), false);
    assert.equal(existsSync(join(d.execRoot, 'bundles', waiting.id)), false);
    daemon = await relaunch(d);
    docker = dockerCli(daemon, config);
    const fresh = await pooled();
    assert.notEqual(fresh.id, waiting.id);
    const run = await docker(['run', '--rm', 'busybox', 'echo', 'after restart']);
    assert.equal(run.stdout, 'after restart\n', run.stderr);
  });
});
