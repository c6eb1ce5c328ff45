import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer, untimed } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox, until } from '../helpers/containers.js';
import { MOOR, type TestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'containers-moor-cli';

/**
 * The same container command lines through the real docker CLI and through moor, against one
 * moord: exit codes, stdout and stderr must be equal once what differs by nature is made equal
 * (each CLI's own container names, ids, clocks, and `docker` in hints that read `moor`).
 */
describe(
  'moor container commands print what docker prints',
  { skip: !isRoot && 'needs root' },
  () => {
    let daemon: TestDaemon | undefined;
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
      daemon = await startDaemonWithBusybox(NAME);
    });
    after(async () => {
      await cleanupContainerDaemon(daemon);
      await rm(dir, { recursive: true, force: true });
    });

    const { docker, moor, names, same, both, inPty } = cliComparer({
      daemon: () => daemon!,
      dir: () => dir,
      prefix: NAME,
    });

    test('run: output, exit codes 0/3/125/126/127 and option errors', async () => {
      assert.equal((await both(['run', '--rm', 'busybox', 'echo', 'hi'])).stdout, 'hi\n');
      assert.equal((await both(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
      const notFound = await both(['run', '--rm', 'busybox', 'nosuchcmd']);
      assert.equal(notFound.code, 127);
      assert.match(
        notFound.stderr,
        /^moor: Error response from daemon: .*executable file not found/,
      );
      assert.equal((await both(['run', '--rm', 'busybox', '/etc'])).code, 126);
      const noImage = await both(['run', `${NAME}/missing`]);
      assert.equal(noImage.code, 125);
      assert.match(noImage.stderr, /^Unable to find image '.*missing:latest' locally\n/);
      for (const args of [
        ['run', '--bogus', 'busybox'],
        ['run', '--memory', 'x', 'busybox'],
        ['run', '--restart', 'always', '--rm', 'busybox'],
        ['run', '--ulimit', 'bad', 'busybox'],
        ['run', '--no-healthcheck', '--health-cmd', 'true', 'busybox'],
        ['run', '--network', 'bogus', 'busybox'],
        ['run', '-u', 'bogus', '--rm', 'busybox', 'id'],
      ]) {
        assert.equal((await both(args)).code, 125, args.join(' '));
      }
      const tty = await both(['run', '-it', '--rm', 'busybox', 'true']);
      assert.equal(tty.stderr, 'the input device is not a TTY\n');
      const conflict = await both(['run', '-d', '-a', 'stdout', 'busybox', 'true']);
      assert.equal(
        conflict.stderr,
        'conflicting options: cannot specify both --attach and --detach\n',
      );
      const taken = await same('taken', ['run', '-d', '--name', '@', 'busybox', 'sleep', '60']);
      assert.match(taken.stdout, /^<ID>\n$/);
      const again = await same('taken', ['run', '--name', '@', 'busybox', 'true']);
      assert.equal(again.code, 125);
      assert.match(again.stderr, /Conflict\. The container name "\/@" is already in use/);
    });

    test('run -i, -a and -t: streams and terminals', async () => {
      const input = 'hello\nworld\n';
      const cat = await both(
        ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo err >&2; exit 4'],
        {
          input,
        },
      );
      assert.deepEqual(cat, { code: 4, stdout: input, stderr: 'err\n' });
      const script = 'echo out; echo err >&2';
      assert.equal(
        (await both(['run', '--rm', '-a', 'stdout', 'busybox', 'sh', '-c', script])).stdout,
        'out\n',
      );
      assert.equal(
        (await both(['run', '--rm', '-a', 'stderr', 'busybox', 'sh', '-c', script])).stderr,
        'err\n',
      );
      const tty = await both(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'echo a; tty']);
      assert.equal(tty.stdout, 'a\r\n/dev/pts/0\r\n');
      const detached = await same('detached', argv`run -d --rm --name @ busybox true`);
      assert.match(detached.stdout, /^<ID>\n$/);
    });

    test('create with every option sends what docker sends (inspect is equal)', async () => {
      const envFile = join(dir, 'env.list');
      const labelFile = join(dir, 'labels.list');
      await writeFile(envFile, 'A=1\n# comment\nUNSET_HERE\n C=3\n');
      await writeFile(labelFile, 'l1=a\nl2\n');
      const created = await same('create', [
        ...argv`create --name @ -e FOO=bar --env-file ${envFile} --entrypoint /bin/sh -w /tmp`,
        ...argv`-u 1000:1000 -h myhost --restart on-failure:3 --init -l a=b`,
        ...argv`--label-file ${labelFile} --health-cmd true --health-interval 5s`,
        ...argv`--health-timeout 2s --health-retries 4 --health-start-period 1s`,
        ...argv`--log-driver json-file --log-opt max-size=1m --cap-add NET_ADMIN`,
        ...argv`--cap-drop chown --read-only --add-host foo:1.2.3.4 --dns 8.8.8.8`,
        ...argv`--dns-search example.com --dns-option ndots:2 --sysctl net.ipv4.ip_forward=1`,
        ...argv`--ulimit nofile=1024:2048 --security-opt no-new-privileges --group-add 10`,
        ...argv`--stop-signal SIGUSR1 --stop-timeout 7 --network none -it busybox -c ${'echo hi'}`,
      ]);
      assert.match(created.stdout, /^<ID>\n$/);
      const inspect = await same('create', ['container', 'inspect', '@']);
      assert.match(inspect.stdout, /"Entrypoint": \[\n\s+"\/bin\/sh"\n\s+\]/);
      await same('create', ['rm', '@']);
    });

    test('start -a/-i, stop, kill, restart, pause, unpause, wait, rename, rm', async () => {
      const created = await same(
        'life',
        argv`create -i --name @ busybox sh -c ${'cat; echo err >&2; exit 5'}`,
      );
      assert.match(created.stdout, /^<ID>\n$/);
      const attached = await same('life', ['start', '-ai', '@'], { input: 'in\n' });
      assert.deepEqual(attached, { code: 5, stdout: 'in\n', stderr: 'err\n' });
      await same('life', ['rm', '@']);
      await same('life', ['run', '-d', '--name', '@', 'busybox', 'sleep', '1000']);
      for (const args of [
        ['pause', '@'],
        ['pause', '@'],
        ['unpause', '@'],
        ['unpause', '@'],
        ['rename', '@', '@2'],
        ['rename', '@2', '@'],
        ['rename', '@', '@'],
        ['rename', '', 'x'],
        ['kill', '-s', 'FOO', '@'],
        ['kill', '-s', 'USR1', '@'],
        ['stop', '-t', 'x', '@'],
        ['stop', '-s', 'KILL', '@'],
        ['wait', '@'],
        ['kill', '@'],
        ['start', '@'],
        ['restart', '-t', '0', '@'],
        ['rm', '@'],
        ['stop', '-t', '1', 'nope1', '@', 'nope2'],
        ['start', 'nope1', '@', 'nope2'],
        ['pause', 'nope1', '@', 'nope2'],
        ['unpause', 'nope1', '@', 'nope2'],
        ['kill', 'nope1', '@', 'nope2'],
        ['rm', '-fv', '@', 'nope'],
        ['rm', '@'],
        ['rm', '-f', '@'],
      ]) {
        await same('life', args);
      }
      const stopped = await same('life', argv`run --name @ busybox sh -c ${'echo out; exit 6'}`);
      assert.equal(stopped.code, 6);
      const again = await same('life', ['start', '-a', '@']);
      assert.deepEqual(again, { code: 6, stdout: 'out\n', stderr: '' });
      assert.equal((await same('life', ['wait', '@', 'nope'])).stdout, '6\n');
      await same('life', ['rm', '@']);
    });

    test('ps: table, -a -q -s -n -l, --filter, --format, --no-trunc, and template errors', async () => {
      const label = `${NAME}-ps`;
      const filter = ['--filter', `label=${label}`];
      await docker(argv`run -d --name ${`${label}-up`} -l ${`${label}=web`} busybox sleep 1000`);
      await docker(['create', '--name', `${label}-new`, '-l', `${label}=db`, 'busybox', 'true']);
      await docker(argv`run --name ${`${label}-exit`} -l ${label} busybox sh -c ${'exit 2'}`);
      // CREATED and STATUS tick between runs: tables are compared untimed below.
      const table = await docker(['ps', '-a', ...filter]);
      assert.match(
        table.stdout,
        /^CONTAINER ID {3}IMAGE {5}COMMAND +CREATED +STATUS +PORTS +NAMES\n/,
      );
      const list = async (args: string[]) => {
        const [d, m] = await Promise.all([docker(args), moor(args)]);
        assert.equal(m.code, d.code, `moor ${args.join(' ')}: ${m.stderr}`);
        assert.equal(untimed(m.stdout), untimed(d.stdout), `moor ${args.join(' ')}`);
        assert.equal(m.stderr, d.stderr.replace(/(?<![.\w])docker(?![.\w-])/g, 'moor'));
      };
      for (const args of [
        ['ps', ...filter],
        ['ps', '-a', ...filter],
        ['ps', '-as', ...filter],
        ['ps', '-aq', ...filter],
        ['ps', '-a', '--no-trunc', ...filter],
        ['ps', '-a', '-n', '2', ...filter, '--format', '{{.Names}}'],
        ['ps', '-a', '-l', '--format', '{{.Names}}'],
        ['ps', '-a', '--filter', 'status=exited', ...filter, '--format', '{{.Names}} {{.Status}}'],
        ['ps', '-a', '--filter', 'exited=2', ...filter, '-q'],
        ['ps', '-a', '--filter', `label=${label}=db`, '--format', '{{.Names}} {{.State}}'],
        ['ps', '-a', '--filter', `name=${label}-up`, '--format', '{{.Label "' + label + '"}}'],
        ['ps', '-a', ...filter, '--format', 'table {{.Names}}\t{{.Command}}\t{{.Labels}}'],
        ['ps', '-a', ...filter, '--format', '{{json .}}'],
        ['ps', '-a', ...filter, '--format', 'json'],
        ['ps', '-a', ...filter, '--format', '{{.Size}}'],
        ['ps', '-aq', ...filter, '--format', '{{.Names}}'],
        ['ps', '--format', '{{.Foo}}'],
        ['ps', '--format', '{{.Names.Foo}}'],
        ['ps', '--format', '{{.Label}}'],
        ['ps', '--format', '{{'],
        ['ps', '--filter', 'bogus=1'],
        ['ps', '--filter', 'status=bogus'],
        ['ps', '-n', 'x'],
        ['ps', 'extra'],
      ]) {
        await list(args);
      }
    });

    test('inspect: containers and images, -f, -s, --type and errors', async () => {
      await same('inspect', ['run', '-d', '--name', '@', '-l', 'x=y', 'busybox', 'sleep', '1000']);
      for (const args of [
        ['inspect', '@'],
        ['container', 'inspect', '-s', '@'],
        ['inspect', '-f', '{{.State.Status}} {{.Name}} {{.Config.Labels.x}}', '@'],
        ['inspect', '--format', '{{json .Config.Cmd}}', '@', 'busybox'],
        ['inspect', '--type', 'image', '-f', '{{.Os}}', 'busybox'],
        ['inspect', '--type', 'container', 'busybox'],
        ['inspect', '--type', 'bogus', '@'],
        ['inspect', '-f', '{{.Name}}', '@', 'nope'],
        ['container', 'inspect', 'busybox'],
        ['inspect', ''],
        ['inspect', '-f', '{{', '@'],
        // docker runs templates on its Go types first, then on the JSON with missingkey=error.
        ['inspect', '-f', '{{.HostConfig.Binds}} {{.State.Health}} {{.Config.ExposedPorts}}', '@'],
        ['inspect', '-f', '{{.HostConfig.RestartPolicy}} {{json .HostConfig.LogConfig}}', '@'],
        ['inspect', '-f', '{{json .HostConfig.Binds}} {{.SizeRw}} {{.Config.StopTimeout}}', '@'],
        ['inspect', '-f', '{{.State.Health.Status}}', '@'],
        ['inspect', '-f', '{{.Foo}}', '@'],
        ['inspect', '-f', '{{.Name.Foo}}', '@'],
        ['inspect', '-f', '{{json .}}', '@'],
      ]) {
        await same('inspect', args);
      }
    });

    test('top, logs and exec', async () => {
      await same(
        'streams',
        argv`run -d --name @ busybox sh -c ${[
          'for i in 1 2 3; do echo line $i; done; sleep 0.3;',
          'for i in 1 2 3; do echo e$i >&2; done; sleep 1000',
        ].join(' ')}`,
      );
      await until(async () => (await moor(['logs', names('streams').moor])).stderr.includes('e3'));
      await until(async () =>
        (await docker(['logs', names('streams').docker])).stderr.includes('e3'),
      );
      const logs = await same('streams', ['logs', '@']);
      assert.deepEqual(logs, {
        code: 0,
        stdout: 'line 1\nline 2\nline 3\n',
        stderr: 'e1\ne2\ne3\n',
      });
      const stamped = await same('streams', ['logs', '-t', '--tail', '1', '@']);
      assert.deepEqual(stamped, { code: 0, stdout: '', stderr: '<time> e3\n' });
      // Process ids and start times differ between the two containers.
      const numbers = { transform: (text: string) => text.replace(/\d+(:\d+)*/g, 'N') };
      await same('streams', ['top', '@'], numbers);
      await same('streams', ['top', '@', '-o', 'pid,comm'], numbers);
      await same('streams', ['top', '@', 'bogus-option'], numbers);
      for (const args of [
        ['logs', '-n', '2', '@'],
        ['logs', '--since', '1h', '--until', '2099-01-01', '@'],
        ['logs', '--since', 'yesterday', '@'],
        ['logs', '--since', '2024-13-01', '@'],
        ['logs', '--until', '2024-01-01Tfoo', '@'],
        ['logs', 'nope'],
        ['logs', ''],
        ['exec', '@', 'echo', 'hi'],
        ['exec', '@', 'sh', '-c', 'exit 3'],
        ['exec', '@', 'nosuch'],
        ['exec', '@', '/etc'],
        ['exec', '-e', 'A=1', '-w', '/tmp', '-u', '1000', '@', 'sh', '-c', 'echo $A; pwd; id -u'],
        ['exec', '-d', '@', 'sleep', '1'],
        ['exec', '-t', '@', 'tty'],
        ['exec', '-it', '@', 'tty'],
        ['exec', '--privileged', '@', 'true'],
        ['exec', 'nope', 'true'],
        ['exec', '@'],
      ]) {
        await same('streams', args);
      }
      assert.equal(
        (await same('streams', ['exec', '-i', '@', 'cat'], { input: 'x\n' })).stdout,
        'x\n',
      );
      await same('streams', ['pause', '@']);
      await same('streams', ['exec', '@', 'true']);
      await same('streams', ['top', '@'], numbers);
      await same('streams', ['rm', '-f', '@']);
    });

    test('follow logs until the container exits', async () => {
      await same(
        'follow',
        argv`run -d --name @ busybox sh -c ${'echo a; sleep 1; echo b >&2; sleep 1; echo c'}`,
      );
      const followed = await same('follow', ['logs', '-f', '@']);
      assert.deepEqual(followed, { code: 0, stdout: 'a\nc\n', stderr: 'b\n' });
      await same('follow', ['rm', '@']);
    });

    test('a reader that goes away ends moor as SIGPIPE ends docker: 141, no message', async () => {
      const made = await docker(['run', '--name', `${NAME}-pipe`, 'busybox', 'seq', '1', '200000']);
      assert.equal(made.code, 0, made.stderr);
      const env = {
        DOCKER_HOST: daemon!.host,
        MOOR_HOST: '',
        DOCKER_CONFIG: join(dir, 'docker-config'),
      };
      for (const cli of ['docker', MOOR]) {
        const piped = await run(
          'bash',
          ['-c', `${cli} logs ${NAME}-pipe | head -1; echo "status \${PIPESTATUS[0]}"`],
          { env },
        );
        assert.deepEqual(
          { stdout: piped.stdout, stderr: piped.stderr },
          { stdout: '1\nstatus 141\n', stderr: '' },
          cli,
        );
      }
      await docker(['rm', `${NAME}-pipe`]);
    });

    test('container prune, with filters and the prompt', async () => {
      const label = `${NAME}-prune`;
      for (const cli of [docker, moor]) {
        await cli(['run', '-l', label, 'busybox', 'true']);
        await cli(['run', '-l', `${label}-keep`, 'busybox', 'true']);
      }
      await both(['container', 'prune', '-f', '--filter', 'bogus=1']);
      await both(['container', 'prune', '-f', '--filter', 'until=bad']);
      await both(['container', 'prune', '--filter', `label=${label}`]);
      const pruned = await docker(['container', 'prune', '-f', '--filter', `label=${label}`]);
      assert.match(
        pruned.stdout,
        /^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/,
      );
      await both(['container', 'prune', '-f', '--filter', `label=${label}`]);
      await moor(['run', '-l', label, 'busybox', 'true']);
      const byMoor = await moor(['container', 'prune', '--filter', `label=${label}`], {
        input: 'y\n',
      });
      assert.match(
        byMoor.stdout,
        /\[y\/N\] Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/,
      );
    });

    test('argument and flag errors', async () => {
      const commands =
        'run create start stop kill restart wait pause unpause rename rm inspect top';
      for (const command of [...commands.split(' '), 'logs', 'attach', 'exec']) {
        const out = await both([command]);
        assert.equal(out.code, 1, command);
        assert.match(out.stderr, /^moor: 'moor \w+' requires/);
      }
      for (const args of [
        ['ps', '--bogus'],
        ['container', 'ls', '--bogus'],
        ['--bogus', 'ps'],
        ['logs', 'a', 'b'],
        ['attach', 'a', 'b'],
        ['container', 'prune', 'x'],
        ['wait', ''],
        ['start', ''],
      ]) {
        await both(args);
      }
    });

    test('help pages', async () => {
      const commands = 'start stop kill restart wait pause unpause rename rm ps inspect top logs';
      for (const command of [
        ...commands.split(' '),
        ...['attach', 'exec', 'container ls', 'container rm', 'container prune'],
        'container inspect',
      ]) {
        const out = await both([...command.split(' '), '--help']);
        assert.match(out.stdout, /^Usage: {2}moor /, command);
      }
    });

    test('run -it in a pseudo-terminal: raw mode, size, ctrl-p ctrl-q, attach', async () => {
      const prompt = '/ # ';
      const [d, m] = await inPty('pty', 'run -it --name @ busybox sh', [
        { expect: prompt, send: 'echo hello-$((1+2))\n' },
        { expect: 'hello-3', send: 'stty size\n' },
        { expect: /\d+ \d+/, send: '\x10\x11' },
      ]);
      for (const result of [d, m]) {
        assert.equal(result.code, 0, result.output);
        // Raw mode: the container's \r\n reaches the terminal as is (not \r\r\n).
        assert.match(result.output, /\r\nhello-3\r\n/);
        assert.match(result.output, /\r\n30 100\r\n/);
      }
      await until(
        async () =>
          (await moor(['ps', '-q', '--filter', `name=${names('pty').moor}`])).stdout !== '',
      );
      const status = await same('pty', ['inspect', '-f', '{{.State.Status}}', '@']);
      assert.equal(status.stdout, 'running\n');
      const [da, ma] = await inPty('pty', 'attach --detach-keys ctrl-a,x @', [
        { send: '\n' },
        { expect: prompt, send: 'echo again\n' },
        { expect: 'again', send: '\x01x' },
      ]);
      for (const result of [da, ma]) {
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /read escape sequence/);
      }
      const [de, me] = await inPty('pty', 'exec -it @ sh', [{ expect: prompt, send: 'exit 9\n' }]);
      assert.equal(de.code, 9, de.output);
      assert.equal(me.code, 9, me.output);
      const [dx, mx] = await inPty('pty', 'attach @', [
        { send: '\n' },
        { expect: prompt, send: 'exit 7\n' },
      ]);
      assert.equal(dx.code, 7, dx.output);
      assert.equal(mx.code, 7, mx.output);
      await same('pty', ['rm', '@']);
    });
  },
);
