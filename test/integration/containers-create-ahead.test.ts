import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** What runc knows of a container of the daemon: its status, or undefined. */
async function runcStatus(daemon: TestDaemon, id: string): Promise<string | undefined> {
  const state = await run('runc', ['--root', join(daemon.execRoot, 'runc'), 'state', id]);
  if (state.code !== 0) return undefined;
  return (JSON.parse(state.stdout) as { status: string }).status;
}

/** Whether a monitor runs for this container of the daemon. */
async function monitorRuns(daemon: TestDaemon, id: string): Promise<boolean> {
  return (await monitorProcesses(daemon.dir)).some((m) => m.id === id);
}

/**
 * A container whose start depends on its record alone (`--network none`, no mounts) has its
 * process created by the runtime at its create, ahead of the start; whatever could change its
 * start first deletes it, and no process outlives the container, the daemon's stop or its
 * crash.
 */
describe('processes created ahead of their start', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-ahead-cfg-'));
    daemon = await startDaemonWithBusybox('ahead');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  const create = async (args: string[]): Promise<string> => {
    const created = await docker(['create', ...args]);
    assert.equal(created.code, 0, created.stderr);
    return created.stdout.trim();
  };
  const createdAhead = async (id: string) => {
    await until(async () => (await runcStatus(daemon as TestDaemon, id)) === 'created');
  };

  test('the process waits created from the create on; the start lets it go', async () => {
    const id = await create(['--network', 'none', 'busybox', 'sh', '-c', 'echo $$ ran']);
    await createdAhead(id);
    // For clients it is a created container like any other.
    const state = await docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', id]);
    assert.equal(state.stdout.trim(), 'created 0');
    const started = await docker(['start', '-a', id]);
    assert.equal(started.code, 0, started.stderr);
    // The process is the container's init (pid 1 of its own namespace), as for any start.
    assert.equal(started.stdout, '1 ran\n');
    // Its exit deleted the runtime's state, as after any run.
    assert.equal(await runcStatus(daemon as TestDaemon, id), undefined);
    assert.equal((await docker(['rm', id])).code, 0);
  });

  test('a container on a network, or with volumes, is created at its start', async () => {
    const bridged = await create(['busybox', 'true']);
    const mounted = await create(['--network', 'none', '-v', '/scratch', 'busybox', 'true']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await runcStatus(daemon as TestDaemon, bridged), undefined);
    assert.equal(await runcStatus(daemon as TestDaemon, mounted), undefined);
    assert.equal((await docker(['rm', '-v', bridged, mounted])).code, 0);
  });

  test('a copy into the container, an update and a rename before the start are seen by it', async () => {
    const id = await create([
      '--network',
      'none',
      '--name',
      'ahead-changed',
      '-m',
      '64m',
      'busybox',
      'sh',
      '-c',
      'cat /greeting; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; hostname',
    ]);
    await createdAhead(id);
    const file = join(config, 'greeting');
    await writeFile(file, 'copied in\n');
    const copied = await docker(['cp', file, `${id}:/greeting`]);
    assert.equal(copied.code, 0, copied.stderr);
    const updated = await docker(['update', '-m', '32m', '--memory-swap', '64m', id]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal((await docker(['rename', 'ahead-changed', 'ahead-renamed'])).code, 0);
    const started = await docker(['start', '-a', 'ahead-renamed']);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout, `copied in\n${32 * 1024 * 1024}\n${id.slice(0, 12)}\n`);
    assert.equal((await docker(['rm', id])).code, 0);
  });

  test('a process no start came for is deleted after a while; the start makes it again', async () => {
    const id = await create(['--network', 'none', 'busybox', 'echo', 'late start']);
    await createdAhead(id);
    await until(async () => (await runcStatus(daemon as TestDaemon, id)) === undefined, 20_000);
    await until(async () => !(await monitorRuns(daemon as TestDaemon, id)));
    const started = await docker(['start', '-a', id]);
    assert.equal(started.stdout, 'late start\n', started.stderr);
    assert.equal((await docker(['rm', id])).code, 0);
  });

  test('a command that cannot run fails at the start with Docker exit code and message', async () => {
    const failed = await docker([
      'run',
      '--network',
      'none',
      '--name',
      'ahead-bad',
      'busybox',
      'nosuchcmd',
    ]);
    assert.equal(failed.code, 127);
    assert.match(failed.stderr, /exec: "nosuchcmd": executable file not found in \$PATH/);
    const state = await docker([
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.ExitCode}}',
      'ahead-bad',
    ]);
    assert.equal(state.stdout.trim(), 'created 127');
    assert.equal((await docker(['rm', 'ahead-bad'])).code, 0);
  });

  test('a remove, the daemon stop and its crash leave no process behind', async () => {
    const removed = await create(['--network', 'none', 'busybox', 'true']);
    await createdAhead(removed);
    assert.equal((await docker(['rm', removed])).code, 0);
    assert.equal(await runcStatus(daemon as TestDaemon, removed), undefined);
    assert.equal(await monitorRuns(daemon as TestDaemon, removed), false);

    // Stopped: the daemon deletes the process; the container starts after the restart.
    const stopped = await create(['--network', 'none', 'busybox', 'echo', 'after stop']);
    await createdAhead(stopped);
    await (daemon as TestDaemon).stop();
    assert.equal(await runcStatus(daemon as TestDaemon, stopped), undefined);
    assert.equal(await monitorRuns(daemon as TestDaemon, stopped), false);
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    const afterStop = await docker(['start', '-a', stopped]);
    assert.equal(afterStop.stdout, 'after stop\n', afterStop.stderr);

    // Killed: the next daemon deletes what it finds created and not started.
    const crashed = await create(['--network', 'none', 'busybox', 'echo', 'after crash']);
    await createdAhead(crashed);
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
    daemon = await relaunch(daemon);
    docker = dockerCli(daemon, config);
    assert.equal(await runcStatus(daemon, crashed), undefined);
    await until(async () => !(await monitorRuns(daemon as TestDaemon, crashed)));
    const afterCrash = await docker(['start', '-a', crashed]);
    assert.equal(afterCrash.stdout, 'after crash\n', afterCrash.stderr);
    assert.equal((await docker(['rm', stopped, crashed])).code, 0);
  });

  test('a create the daemon did not finish leaves nothing: its process and bundle go', async () => {
    const id = await create(['--network', 'none', 'busybox', 'true']);
    await createdAhead(id);
    daemon?.proc.kill('SIGKILL');
    await daemon?.exited;
    // As if the daemon had died before the record was stored.
    const recordDir = join((daemon as TestDaemon).dataRoot, 'containers', id);
    assert.ok(existsSync(recordDir));
    await rm(recordDir, { recursive: true, force: true });
    daemon = await relaunch(daemon as TestDaemon);
    docker = dockerCli(daemon, config);
    assert.equal(await runcStatus(daemon, id), undefined);
    await until(async () => !(await monitorRuns(daemon as TestDaemon, id)));
    assert.equal(existsSync(join(daemon.execRoot, 'bundles', id)), false);
    const listed = await docker(['ps', '-aq', '--no-trunc']);
    assert.doesNotMatch(listed.stdout, new RegExp(id));
    assert.equal(
      (await readFile('/proc/self/mounts', 'utf8')).includes(id),
      false,
      'no mount of the container is left',
    );
  });
});
