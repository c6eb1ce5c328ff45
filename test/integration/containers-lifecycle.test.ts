import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
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

/** Containers through the real docker CLI against moord, on real runc and conmon. */
describe('container lifecycle with the docker CLI', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-lifecycle-cfg-'));
    daemon = await startDaemonWithBusybox('lifecycle');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  test('run --rm prints, exits with the process code and removes the container', async () => {
    const hi = await docker(['run', '--rm', 'busybox', 'echo', 'hi']);
    assert.equal(hi.code, 0, hi.stderr);
    assert.equal(hi.stdout, 'hi\n');
    const three = await docker([
      'run',
      '--rm',
      'busybox',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 3',
    ]);
    assert.equal(three.code, 3);
    assert.equal(three.stdout, 'out\n');
    assert.equal(three.stderr, 'err\n');
    const left = await docker(['ps', '-aq']);
    assert.equal(left.stdout, '');
  });

  test('an --rm container has a volatile layer, survives docker restart and goes at its exit', async () => {
    const rootMount = (name: string) =>
      docker(['exec', name, 'sh', '-c', "grep '^overlay / ' /proc/mounts"]);
    const kept = await docker(['run', '-d', '--name', 'kept', 'busybox', 'sleep', '60']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.doesNotMatch((await rootMount('kept')).stdout, /volatile/);
    assert.equal((await docker(['rm', '-f', 'kept'])).code, 0);

    const rm = await docker(['run', '-d', '--rm', '--name', 'gone', 'busybox', 'sleep', '60']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match((await rootMount('gone')).stdout, /volatile/);
    // As Docker: a manual restart keeps an --rm container, and its layer mounts again.
    const restart = await docker(['restart', '-t', '0', 'gone']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.match((await rootMount('gone')).stdout, /volatile/);
    const state = await docker(['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'gone']);
    assert.equal(state.stdout.trim(), 'running 0');
    assert.equal((await docker(['stop', '-t', '0', 'gone'])).code, 0);
    await until(async () => (await docker(['ps', '-aq', '--filter', 'name=gone'])).stdout === '');
  });

  test('cgroups go after the exit; a start right after an exit makes them again', async () => {
    const exists = (path: string) =>
      stat(path).then(
        () => true,
        () => false,
      );
    const v2 = await exists('/sys/fs/cgroup/cgroup.controllers');
    const cgroupOf = (id: string) => `/sys/fs/cgroup/${v2 ? '' : 'pids/'}moor/${id}`;
    const cidfile = join(config, 'cid');
    const once = await docker(['run', '--rm', '--cidfile', cidfile, 'busybox', 'true']);
    assert.equal(once.code, 0, once.stderr);
    const gone = cgroupOf((await readFile(cidfile, 'utf8')).trim());
    await until(async () => !(await exists(gone)));
    const again = await docker(['run', '--name', 'again', 'busybox', 'echo', 'run']);
    assert.equal(again.stdout, 'run\n', again.stderr);
    // Each start follows the exit before it at once: the earlier run's cgroups are gone by
    // then, and runc makes them anew.
    for (let i = 0; i < 3; i++) {
      const start = await docker(['start', '-a', 'again']);
      assert.equal(start.code, 0, start.stderr);
      assert.equal(start.stdout, 'run\n');
    }
    const id = (await docker(['inspect', '-f', '{{.Id}}', 'again'])).stdout.trim();
    await until(async () => !(await exists(cgroupOf(id))));
    assert.equal((await docker(['rm', 'again'])).code, 0);
  });

  test('a command that cannot be executed ends with 127 and Docker-style message', async () => {
    const r = await docker(['run', '--rm', 'busybox', 'nosuchcmd']);
    assert.equal(r.code, 127, r.stderr);
    assert.match(r.stderr, /executable file not found/);
  });

  test('stdin is fed with -i', async () => {
    const r = await docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], {
      input: 'line1\nline2\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'line1\nline2\ndone\n');
  });

  test('start, stop, kill, restart, pause, rename, rm with Docker semantics', async () => {
    const created = await docker(['create', '--name', 'lc-one', 'busybox', 'sleep', '300']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^[a-f0-9]{64}$/);
    let ps = await docker(['ps', '-a', '--filter', 'name=lc-one', '--format', '{{.Status}}']);
    assert.equal(ps.stdout.trim(), 'Created');
    assert.equal((await docker(['start', 'lc-one'])).code, 0);
    // Starting a running container is a 304: the CLI reports success.
    const again = await docker(['start', 'lc-one']);
    assert.equal(again.code, 0, again.stderr);
    ps = await docker(['ps', '--filter', 'name=lc-one', '--format', '{{.Status}}']);
    assert.match(ps.stdout.trim(), /^Up /);
    const rmRunning = await docker(['rm', 'lc-one']);
    assert.notEqual(rmRunning.code, 0);
    assert.match(
      rmRunning.stderr,
      /cannot remove container .*stop the container before removing or force remove/,
    );
    assert.equal((await docker(['pause', 'lc-one'])).code, 0);
    ps = await docker(['ps', '--filter', 'name=lc-one', '--format', '{{.Status}}']);
    assert.match(ps.stdout.trim(), /\(Paused\)$/);
    assert.equal((await docker(['unpause', 'lc-one'])).code, 0);
    assert.equal((await docker(['rename', 'lc-one', 'lc-two'])).code, 0);
    const inspect = await docker([
      'inspect',
      '-f',
      '{{.Name}} {{.State.Status}} {{.Config.Hostname}}',
      'lc-two',
    ]);
    assert.equal(inspect.stdout.trim(), `/lc-two running ${id.slice(0, 12)}`);
    const stop = await docker(['stop', '-t', '1', 'lc-two']);
    assert.equal(stop.code, 0, stop.stderr);
    const code = await docker([
      'inspect',
      '-f',
      '{{.State.ExitCode}} {{.State.Running}}',
      'lc-two',
    ]);
    // sleep as PID 1 has no SIGTERM handler: the kernel ignores it, so stop ends with SIGKILL.
    assert.equal(code.stdout.trim(), '137 false');
    assert.equal((await docker(['restart', '-t', '1', 'lc-two'])).code, 0);
    assert.equal((await docker(['kill', '-s', 'KILL', 'lc-two'])).code, 0);
    const killed = await docker(['wait', 'lc-two']);
    assert.equal(killed.stdout.trim(), '137');
    ps = await docker(['ps', '-a', '--filter', 'name=lc-two', '--format', '{{.Status}}']);
    assert.match(ps.stdout.trim(), /^Exited \(137\) .* ago$/);
    assert.equal((await docker(['rm', 'lc-two'])).code, 0);
    const gone = await docker(['inspect', 'lc-two']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /No such object: lc-two|No such container: lc-two/);
  });

  test('names are unique and validated', async () => {
    assert.equal((await docker(['create', '--name', 'lc-dup', 'busybox', 'true'])).code, 0);
    const dup = await docker(['create', '--name', 'lc-dup', 'busybox', 'true']);
    assert.notEqual(dup.code, 0);
    assert.match(
      dup.stderr,
      /Conflict. The container name "\/lc-dup" is already in use by container "[a-f0-9]{64}"/,
    );
    const bad = await docker(['create', '--name', 'bad name!', 'busybox', 'true']);
    assert.match(bad.stderr, /Invalid container name \(bad name!\)/);
    const random = await docker(['create', 'busybox', 'true']);
    const name = await docker(['inspect', '-f', '{{.Name}}', random.stdout.trim()]);
    assert.match(name.stdout.trim(), /^\/[a-z]+_[a-z]+\d?$/);
    await docker(['rm', 'lc-dup', random.stdout.trim()]);
  });

  test('an unknown image is a 404 the CLI turns into a pull attempt', async () => {
    const r = await docker(['run', '--rm', 'nosuchimage:v1', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unable to find image 'nosuchimage:v1' locally/);
  });

  test('logs: json-file lines on disk, docker logs with tail and streams', async () => {
    const r = await docker([
      'run',
      '--name',
      'lc-logs',
      'busybox',
      'sh',
      '-c',
      // Pauses keep the order across the two pipes deterministic.
      'echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const path = (await docker(['inspect', '-f', '{{.LogPath}}', 'lc-logs'])).stdout.trim();
    assert.match(path, /\/containers\/([a-f0-9]{64})\/\1-json\.log$/);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0] ?? '',
      // Go's RFC3339Nano, as dockerd writes it: trailing zeros of the fraction are dropped.
      /^\{"log":"one\\n","stream":"stdout","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z"\}$/,
    );
    assert.match(lines[1] ?? '', /^\{"log":"two\\n","stream":"stderr","time":"/);
    const logs = await docker(['logs', 'lc-logs']);
    assert.equal(logs.stdout, 'one\nthree\n');
    assert.equal(logs.stderr, 'two\n');
    const tail = await docker(['logs', '--tail', '1', 'lc-logs']);
    assert.equal(tail.stdout, 'three\n');
    const ts = await docker(['logs', '-t', 'lc-logs']);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z one\n/);
    await docker(['rm', 'lc-logs']);
    const none = await docker([
      'run',
      '--name',
      'lc-nolog',
      '--log-driver',
      'none',
      'busybox',
      'echo',
      'x',
    ]);
    assert.equal(none.code, 0);
    const nolog = await docker(['logs', 'lc-nolog']);
    assert.match(nolog.stderr, /configured logging driver does not support reading/);
    await docker(['rm', 'lc-nolog']);
  });

  test('logs -f follows a running container and ends when it exits', async () => {
    await docker([
      'run',
      '-d',
      '--name',
      'lc-follow',
      'busybox',
      'sh',
      '-c',
      'for i in 1 2 3; do echo $i; sleep 0.2; done',
    ]);
    const r = await docker(['logs', '-f', 'lc-follow']);
    assert.equal(r.stdout, '1\n2\n3\n');
    await docker(['rm', '-f', 'lc-follow']);
  });

  test('exec runs in a running container with env, workdir and user', async () => {
    await docker(['run', '-d', '--name', 'lc-exec', '-e', 'A=1', 'busybox', 'sleep', '300']);
    const env = await docker([
      'exec',
      '-e',
      'B=2',
      '-w',
      '/tmp',
      'lc-exec',
      'sh',
      '-c',
      'echo $A $B; pwd; id -u',
    ]);
    assert.equal(env.code, 0, env.stderr);
    assert.equal(env.stdout, '1 2\n/tmp\n0\n');
    const user = await docker(['exec', '-u', '1000:1000', 'lc-exec', 'id']);
    assert.match(user.stdout, /uid=1000 gid=1000/);
    const code = await docker(['exec', 'lc-exec', 'sh', '-c', 'exit 7']);
    assert.equal(code.code, 7);
    const input = await docker(['exec', '-i', 'lc-exec', 'cat'], { input: 'piped\n' });
    assert.equal(input.stdout, 'piped\n');
    await docker(['stop', '-t', '0', 'lc-exec']);
    const stopped = await docker(['exec', 'lc-exec', 'true']);
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, /is not running/);
    await docker(['rm', 'lc-exec']);
  });

  test('top lists the processes; health checks turn healthy', async () => {
    await docker([
      'run',
      '-d',
      '--name',
      'lc-health',
      '--health-cmd',
      'true',
      '--health-interval',
      '200ms',
      'busybox',
      'sleep',
      '300',
    ]);
    const top = await docker(['top', 'lc-health']);
    assert.match(top.stdout, /PID/);
    assert.match(top.stdout, /sleep 300/);
    await until(async () => {
      const s = await docker(['inspect', '-f', '{{.State.Health.Status}}', 'lc-health']);
      return s.stdout.trim() === 'healthy';
    });
    const ps = await docker(['ps', '--filter', 'name=lc-health', '--format', '{{.Status}}']);
    assert.match(ps.stdout.trim(), /\(healthy\)$/);
    await docker(['rm', '-f', 'lc-health']);
  });

  test('restart policy on-failure restarts with back-off and counts', async () => {
    await docker([
      'run',
      '-d',
      '--name',
      'lc-retry',
      '--restart',
      'on-failure:2',
      'busybox',
      'sh',
      '-c',
      'exit 1',
    ]);
    await until(async () => {
      const s = await docker(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'lc-retry']);
      return s.stdout.trim() === '2 exited';
    });
    await docker(['rm', '-f', 'lc-retry']);
  });
  test('the server detects the detach keys on a non-TTY attach; the container keeps running', async () => {
    const id = (
      await docker(['run', '-di', '--name', 'lc-detach', 'busybox', 'cat'])
    ).stdout.trim();
    const socket = connect((daemon as TestDaemon).socket);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /containers/${id}/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-a,d HTTP/1.1\r\n` +
        'Host: moor\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    await until(async () => Promise.resolve(received.includes('101 UPGRADED')));
    socket.write('echoed\n');
    await until(async () => Promise.resolve(received.includes('echoed')));
    socket.write(Buffer.from([0x01, 0x64])); // ctrl-a, d
    await closed;
    const state = await docker(['inspect', '-f', '{{.State.Running}}', 'lc-detach']);
    assert.equal(state.stdout.trim(), 'true');
    await docker(['rm', '-f', 'lc-detach']);
  });
});
