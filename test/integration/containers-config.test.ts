import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  monitorProcesses,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/** What a container's request turns into inside it, and how bad requests are refused. */
describe('container configuration with the docker CLI', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-config-cfg-'));
    daemon = await startDaemonWithBusybox('config');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  /** `docker run --rm` of a shell script; the run must succeed. */
  const sh = async (flags: string[], script: string) => {
    const r = await docker(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, `${flags.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  test('identity: hostname, domainname, user forms, group-add, env, workdir', async () => {
    const created = await docker(['create', '--name', 'cf-id', 'busybox:latest', 'hostname']);
    const id = created.stdout.trim();
    const inspect = await docker([
      'inspect',
      '-f',
      '{{.Config.Image}} {{.Config.Hostname}} {{json .Mounts}}',
      'cf-id',
    ]);
    // Config.Image is kept as the client sent it; no engine files among the Mounts.
    assert.equal(inspect.stdout.trim(), `busybox:latest ${id.slice(0, 12)} []`);
    const started = await docker(['start', '-a', 'cf-id']);
    assert.equal(started.stdout, `${id.slice(0, 12)}\n`);
    await docker(['rm', 'cf-id']);

    assert.equal(
      await sh(
        ['-h', 'box', '--domainname', 'example.com'],
        'hostname; cat /proc/sys/kernel/domainname; cat /etc/hostname',
      ),
      'box\nexample.com\nbox\n',
    );
    assert.equal(await sh(['-u', 'nobody'], 'id -u; id -g'), '65534\n65534\n');
    assert.equal(await sh(['-u', '1000'], 'id -u; id -g'), '1000\n0\n');
    assert.equal(await sh(['-u', '1000:1000', '--group-add', '50'], 'id -G'), '1000 50\n');
    // A missing working directory is created, as Docker does.
    assert.equal(
      await sh(['-e', 'A=1', '-w', '/tmp/new', '-h', 'envhost'], 'echo $A $HOSTNAME $HOME; pwd'),
      '1 envhost /root\n/tmp/new\n',
    );
  });

  test('files: /etc/hosts with --add-host, resolv.conf with --dns*, /dev/shm 64M', async () => {
    const out = await sh(
      [
        '--add-host',
        'db.local:10.1.2.3',
        '--dns',
        '10.0.0.53',
        '--dns-search',
        'corp.example',
        '--dns-option',
        'ndots:2',
      ],
      'grep db.local /etc/hosts; cat /etc/resolv.conf; df -k /dev/shm | tail -1',
    );
    assert.match(out, /^10\.1\.2\.3\tdb\.local$/m);
    assert.match(out, /^nameserver 10\.0\.0\.53$/m);
    assert.match(out, /^search corp\.example$/m);
    assert.match(out, /^options ndots:2$/m);
    assert.match(out, /^shm\s+65536\s/m);
  });

  test('security: capabilities, privileged devices, read-only rootfs, no-new-privileges', async () => {
    const capEff = async (flags: string[]) =>
      (await sh(flags, 'grep CapEff /proc/self/status')).split(/\s+/)[1];
    assert.equal(await capEff([]), '00000000a80425fb'); // Docker's default set
    assert.equal(await capEff(['--cap-drop', 'ALL']), '0000000000000000');
    assert.equal(await capEff(['--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN']), '0000000000001000');
    const priv = await sh(['--privileged'], 'grep CapEff /proc/self/status; ls /dev');
    assert.notEqual(priv.split('\n')[0]?.split(/\s+/)[1], '00000000a80425fb');
    const hostDevices = (await readdir('/dev')).filter((d) => d.startsWith('loop'));
    for (const loop of hostDevices.slice(0, 2)) assert.match(priv, new RegExp(`^${loop}$`, 'm'));
    const ro = await docker(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(
      await sh(['--security-opt', 'no-new-privileges'], 'grep NoNewPrivs /proc/self/status'),
      'NoNewPrivs:\t1\n',
    );
    // The defaults: /proc/timer_list masked (empty), the cgroup hierarchies read-only.
    const masked = await sh(
      [],
      'wc -c < /proc/timer_list; touch /sys/fs/cgroup/pids/x 2>&1 || true',
    );
    assert.match(masked, /^0\n/);
    assert.match(masked, /Read-only file system/);
  });

  test('limits: sysctls, ulimits, --init', async () => {
    assert.equal(
      await sh(
        ['--sysctl', 'kernel.msgmax=12345', '--ulimit', 'nofile=123:456'],
        'cat /proc/sys/kernel/msgmax; ulimit -n; ulimit -Hn',
      ),
      '12345\n123\n456\n',
    );
    const init = await sh(['--init'], 'cat /proc/1/cmdline | tr "\\0" " "');
    assert.match(init, /^\/sbin\/docker-init -- sh -c /);
  });

  test('bad input: clear errors and nothing left behind', async () => {
    const before = await leftovers();
    const refused: Array<[string[], RegExp]> = [
      [['create', '--restart', 'bogus'], /invalid restart policy/],
      [['create', '--name', 'bad/name'], /Invalid container name \(bad\/name\)/],
      [['run', '--rm', '-u', 'nosuchuser'], /unable to find user nosuchuser: no matching entries/],
      [['run', '--rm', '-w', '/bin/busybox'], /not a directory/],
    ];
    for (const [args, message] of refused) {
      const r = await docker([...args, 'busybox', 'true']);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
    const sig = await docker(['run', '-d', '--name', 'cf-sig', 'busybox', 'sleep', '300']);
    assert.equal(sig.code, 0, sig.stderr);
    const badSignal = await docker(['kill', '-s', 'SIGNOPE', 'cf-sig']);
    assert.match(badSignal.stderr, /invalid signal/);
    const noSuchSignal = await docker(['kill', '-s', '99', 'cf-sig']);
    assert.equal(noSuchSignal.code, 1);
    assert.equal(
      noSuchSignal.stderr.trim(),
      'Error response from daemon: Cannot kill container: cf-sig: The linux daemon does not support signal 99',
    );
    const inspected = await docker(['inspect', '-f', '{{.State.Running}}', 'cf-sig']);
    assert.equal(inspected.stdout.trim(), 'true', 'the container still runs');
    await docker(['stop', '-t', '0', 'cf-sig']);
    const stoppedExec = await docker(['exec', 'cf-sig', 'true']);
    assert.match(stoppedExec.stderr, /container [a-f0-9]{64} is not running/);
    await docker(['rm', 'cf-sig']);
    const missing = await docker(['start', 'cf-nothing']);
    assert.match(missing.stderr, /No such container: cf-nothing/);
    assert.deepEqual(await leftovers(), before);
  });

  test('exec failures carry Docker exit codes', async () => {
    await docker(['run', '-d', '--name', 'cf-exec', 'busybox', 'sleep', '300']);
    const notFound = await docker(['exec', 'cf-exec', 'nosuchcmd']);
    assert.equal(notFound.code, 127);
    assert.match(notFound.stdout + notFound.stderr, /executable file not found in \$PATH/);
    const badUser = await docker(['exec', '-u', 'nosuch', 'cf-exec', 'id']);
    assert.equal(badUser.code, 126);
    assert.match(badUser.stdout + badUser.stderr, /unable to find user nosuch/);
    const priv = await docker([
      'exec',
      '--privileged',
      'cf-exec',
      'grep',
      'CapEff',
      '/proc/self/status',
    ]);
    assert.match(priv.stdout, /CapEff:\s+000001ff/);
    const detached = await docker(['exec', '-d', 'cf-exec', 'sh', '-c', 'touch /from-exec']);
    assert.equal(detached.code, 0);
    await docker(['rm', '-f', 'cf-exec']);
  });

  /**
   * What a failed request could leave on the host: records, monitors, mounts. Besides the
   * containers' own, moord keeps one monitor started ahead, with its container's directory,
   * for the next container (monitor-pool.ts): once the removals and that refill are done, one
   * directory and one monitor belong to no container; more would be leftovers.
   */
  async function leftovers(): Promise<{ records: number; mounts: number; monitors: number }> {
    const dir = (daemon as TestDaemon).dir;
    const containerDirs = async () =>
      (await readdir(join((daemon as TestDaemon).dataRoot, 'containers'))).filter((name) =>
        /^[a-f0-9]{64}$/.test(name),
      );
    const monitorIds = async () => (await monitorProcesses(dir)).map((m) => m.id);
    const listed = async () =>
      new Set((await docker(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean));
    let dirs: string[] = [];
    let monitors: string[] = [];
    for (let i = 0; i < 50; i++) {
      const containers = await listed();
      dirs = await containerDirs();
      monitors = await monitorIds();
      const stray = (ids: string[]) => ids.filter((id) => !containers.has(id)).length;
      if (stray(dirs) === 1 && stray(monitors) === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const mounts = (await readFile('/proc/self/mounts', 'utf8'))
      .split('\n')
      .filter((l) => l.includes(dir)).length;
    return { records: dirs.length, mounts, monitors: monitors.length };
  }
});
