import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** The live monitors of container `id` of the daemon. */
async function monitorsOf(daemon: TestDaemon, id: string): Promise<number[]> {
  return (await monitorProcesses(daemon.dir)).filter((m) => m.id === id).map((m) => m.pid);
}

/**
 * Containers outlive moord: kill -9 of the daemon leaves them running under their monitors,
 * what they print meanwhile reaches the log, exits while the daemon is down are recorded, and
 * `--restart always` containers come back.
 */
describe('containers across daemon restarts', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-restart-cfg-'));
    daemon = await startDaemonWithBusybox('ctr-restart');
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  test('kill -9 of moord: running containers keep running and logging; exits are recorded', async () => {
    let docker = dockerCli(daemon as TestDaemon, config);
    const ticker = await docker([
      'run',
      '-d',
      '--name',
      'rs-ticker',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done',
    ]);
    assert.equal(ticker.code, 0, ticker.stderr);
    await docker(['run', '-d', '--name', 'rs-short', 'busybox', 'sh', '-c', 'sleep 1; exit 42']);
    await docker(['run', '-d', '--rm', '--name', 'rs-rm', 'busybox', 'sleep', '1']);
    await docker([
      'run',
      '-d',
      '--name',
      'rs-always',
      '--restart',
      'always',
      'busybox',
      'sleep',
      '300',
    ]);
    const pidBefore = (
      await docker(['inspect', '-f', '{{.State.Pid}}', 'rs-ticker'])
    ).stdout.trim();
    const path = (await docker(['inspect', '-f', '{{.LogPath}}', 'rs-ticker'])).stdout.trim();

    (daemon as TestDaemon).proc.kill('SIGKILL');
    await (daemon as TestDaemon).exited;
    const sizeDown = (await readFile(path, 'utf8')).split('\n').length;
    await new Promise((r) => setTimeout(r, 1500)); // rs-short exits meanwhile; ticker prints
    process.kill(Number(pidBefore), 0); // still running

    const relaunchedAt = Date.now();
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    const state = await docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'rs-ticker']);
    assert.equal(state.stdout.trim(), `running ${pidBefore}`);
    await until(async () => (await readFile(path, 'utf8')).split('\n').length > sizeDown + 10);
    const logs = await docker(['logs', 'rs-ticker']);
    const ticks = logs.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[1]));
    ticks.forEach((n, i) => assert.equal(n, i, 'no tick lost or repeated'));

    const short = await docker([
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}',
      'rs-short',
    ]);
    const [status, code, finished] = short.stdout.trim().split(' ');
    assert.equal(status, 'exited');
    assert.equal(code, '42');
    // FinishedAt is when the process ended (while moord was down), not when moord noticed.
    assert.ok(Date.parse(finished ?? '') > 0);
    assert.ok(Date.parse(finished ?? '') < relaunchedAt, `${finished} before the relaunch`);
    assert.equal(
      (await docker(['inspect', '-f', '{{.State.Running}}', 'rs-always'])).stdout.trim(),
      'true',
    );
    // An AutoRemove container that ended meanwhile is removed, as dockerd does at start.
    const removed = await docker(['inspect', 'rs-rm']);
    assert.equal(removed.code, 1);
    assert.match(removed.stderr, /No such object: rs-rm/);
  });

  test('--restart always comes back after a clean daemon restart that killed it', async () => {
    let docker = dockerCli(daemon as TestDaemon, config);
    const pid = Number(
      (await docker(['inspect', '-f', '{{.State.Pid}}', 'rs-always'])).stdout.trim(),
    );
    await (daemon as TestDaemon).stop();
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    await until(async () => {
      const s = await docker(['inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'rs-always']);
      const [running, now] = s.stdout.trim().split(' ');
      return running === 'true' && Number(now) > 0 && Number(now) !== pid;
    });
  });
  test('unless-stopped: a container the user stopped stays stopped across a daemon restart', async () => {
    let docker = dockerCli(daemon as TestDaemon, config);
    const flags = ['run', '-d', '--restart', 'unless-stopped', 'busybox', 'sleep', '300'];
    await docker([...flags.slice(0, 2), '--name', 'rs-us-stopped', ...flags.slice(2)]);
    await docker([...flags.slice(0, 2), '--name', 'rs-us-killed', ...flags.slice(2)]);
    await docker(['create', '--name', 'rs-no', 'busybox', 'sleep', '300']);
    await docker(['stop', '-t', '0', 'rs-us-stopped']);
    const pid = Number(
      (await docker(['inspect', '-f', '{{.State.Pid}}', 'rs-us-killed'])).stdout.trim(),
    );
    await (daemon as TestDaemon).stop();
    process.kill(pid, 'SIGKILL');
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    await until(async () => {
      const s = await docker(['inspect', '-f', '{{.State.Running}}', 'rs-us-killed']);
      return s.stdout.trim() === 'true';
    });
    const stopped = await docker(['inspect', '-f', '{{.State.Status}}', 'rs-us-stopped', 'rs-no']);
    assert.equal(stopped.stdout, 'exited\ncreated\n');
  });
  test('a created container stays created when moord dies before its start; its monitor started ahead ends', async () => {
    let docker = dockerCli(daemon as TestDaemon, config);
    const created = await docker(['create', '--name', 'rs-created', 'busybox', 'echo', 'ran']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    // Its monitor was started ahead and waits for the start.
    await until(async () => (await monitorsOf(daemon as TestDaemon, id)).length === 1);
    const gone = await docker(['create', '--name', 'rs-created-rm', 'busybox', 'true']);
    const goneId = gone.stdout.trim();
    await until(async () => (await monitorsOf(daemon as TestDaemon, goneId)).length === 1);
    assert.equal((await docker(['rm', 'rs-created-rm'])).code, 0);
    await until(async () => (await monitorsOf(daemon as TestDaemon, goneId)).length === 0);

    (daemon as TestDaemon).proc.kill('SIGKILL');
    await (daemon as TestDaemon).exited;
    // The waiting monitor goes on without a runtime config and ends: nothing ran.
    await until(async () => (await monitorsOf(daemon as TestDaemon, id)).length === 0);
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    const state = await docker(['inspect', '-f', '{{.State.Status}}', id]);
    assert.equal(state.stdout.trim(), 'created');
    assert.equal((await docker(['logs', id])).stdout, '');
    const started = await docker(['start', '-a', id]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout, 'ran\n');
    assert.equal((await docker(['logs', id])).stdout, 'ran\n');
  });

  test('a start moord died before recording is adopted: running, or its exit recorded', async () => {
    let docker = dockerCli(daemon as TestDaemon, config);
    const run = async (name: string, ...cmd: string[]) => {
      const r = await docker(['run', '-d', '--name', name, 'busybox', ...cmd]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const runningId = await run('rs-unrecorded', 'sleep', '300');
    const exitingId = await run('rs-unrecorded-exit', 'sh', '-c', 'sleep 1; exit 7');
    const pid = (await docker(['inspect', '-f', '{{.State.Pid}}', runningId])).stdout.trim();
    (daemon as TestDaemon).proc.kill('SIGKILL');
    await (daemon as TestDaemon).exited;
    // What the store holds when moord dies between letting the process go and storing it.
    for (const id of [runningId, exitingId]) {
      const file = join((daemon as TestDaemon).dataRoot, 'containers', id, 'container.json');
      const record = JSON.parse(await readFile(file, 'utf8')) as {
        state: Record<string, unknown>;
      };
      record.state = { ...record.state, status: 'created', pid: 0, monitorPid: 0 };
      await writeFile(file, JSON.stringify(record));
    }
    await new Promise((r) => setTimeout(r, 1500)); // rs-unrecorded-exit ends meanwhile
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    const state = await docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', runningId]);
    assert.equal(state.stdout.trim(), `running ${pid}`);
    const exited = await docker([
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.ExitCode}}',
      exitingId,
    ]);
    assert.equal(exited.stdout.trim(), 'exited 7');
    const stop = await docker(['stop', '-t', '0', runningId]);
    assert.equal(stop.code, 0, stop.stderr);
    const stopped = await docker([
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.ExitCode}}',
      runningId,
    ]);
    assert.equal(stopped.stdout.trim(), 'exited 137');
  });
});
