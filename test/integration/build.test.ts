import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import { type TestDaemon, relaunch } from '../helpers/moord.js';
import { type RunResult, ok, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'build';

/**
 * `docker build` (the docker CLI's classic builder path) and `docker commit` against moord:
 * every Dockerfile instruction, build args, .dockerignore, multi-stage builds, the cache,
 * and failures with Docker's messages.
 */
describe('docker build and commit', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let server: Server | undefined;
  let serverUrl = '';
  let docker: ReturnType<typeof dockerCli>;
  /** What the loopback server serves at a path, beyond its default answer. */
  const files = new Map<string, Buffer>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/repo.git/')) {
        // A bare Git repository over Git's dumb HTTP protocol: its files as they are.
        readFile(join(dir, url.split('?')[0]!)).then(
          (data) => res.writeHead(200).end(data),
          () => res.writeHead(404).end(),
        );
        return;
      }
      const served = files.get(url);
      if (served) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(served);
        return;
      }
      res.writeHead(200, {
        'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT',
        'Content-Type': 'application/octet-stream',
      });
      res.end(`served ${req.url ?? ''}\n`);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.close();
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  /** A context directory with these files. */
  async function context(name: string, files: Record<string, string>): Promise<string> {
    const root = join(dir, name);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  }

  async function build(ctx: string, ...args: string[]): Promise<RunResult> {
    return docker(['build', ...args, ctx], { timeoutMs: 120_000 });
  }

  const out = async (...args: string[]) => ok(await docker(args)).stdout.trim();

  test('every instruction, and the image it makes', async () => {
    const ctx = await context('all', {
      Dockerfile: [
        '# escape=\\',
        'ARG BASE=busybox',
        'FROM ${BASE} AS base',
        'ARG GREETING=hello',
        'ARG UNSET',
        'ENV NAME=world \\',
        '    EMPTY_DEFAULT=${UNSET:-fallback} ALT=${GREETING:+set}',
        'LABEL org.test.kind="all instructions" other=1',
        'MAINTAINER Jane <jane@example.com>',
        'EXPOSE 8080 53/udp',
        'RUN echo "$GREETING $NAME" > /greeting',
        'RUN ["/bin/sh", "-c", "echo exec-form > /exec"]',
        'COPY --chown=1:2 --chmod=640 files/a.txt files/b.txt /dest/',
        'COPY files /tree',
        'COPY *.md /docs/',
        'ADD archive.tar /unpacked/',
        `ADD ${serverUrl}/remote.bin /downloads/`,
        'WORKDIR sub',
        'WORKDIR dir',
        'VOLUME /data',
        'USER 1000:1000',
        'STOPSIGNAL SIGUSR1',
        'HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD true',
        'SHELL ["/bin/sh", "-ec"]',
        'RUN test "$(pwd)" = /sub/dir',
        'ENTRYPOINT ["/bin/echo"]',
        'CMD ["default", "args"]',
        'ONBUILD RUN echo triggered > /tmp/onbuild',
        '',
      ].join('\n'),
      'files/a.txt': 'A\n',
      'files/b.txt': 'B\n',
      'README.md': 'readme\n',
    });
    // A tar archive in the context: ADD unpacks it.
    const tarDir = await context('tar-src', { 'inside/x.txt': 'from tar\n' });
    ok(await run('tar', ['-C', tarDir, '-cf', join(ctx, 'archive.tar'), 'inside']));

    const result = ok(await build(ctx, '-t', 'all:1', '--build-arg', 'GREETING=hi'));
    assert.match(result.stdout, /Step 1\/26 : ARG BASE=busybox/);
    assert.match(result.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged all:1\n/);

    const inspect = JSON.parse(await out('image', 'inspect', 'all:1')) as Array<{
      Author: string;
      Config: Record<string, unknown>;
    }>;
    const config = inspect[0]!.Config;
    assert.equal(inspect[0]!.Author, 'Jane <jane@example.com>');
    assert.deepEqual(config['Env'], ['NAME=world', 'EMPTY_DEFAULT=fallback', 'ALT=set']);
    assert.deepEqual(config['Labels'], { 'org.test.kind': 'all instructions', other: '1' });
    assert.deepEqual(config['ExposedPorts'], { '8080/tcp': {}, '53/udp': {} });
    assert.deepEqual(config['Volumes'], { '/data': {} });
    assert.equal(config['WorkingDir'], '/sub/dir');
    assert.equal(config['User'], '1000:1000');
    assert.equal(config['StopSignal'], 'SIGUSR1');
    assert.deepEqual(config['Entrypoint'], ['/bin/echo']);
    assert.deepEqual(config['Cmd'], ['default', 'args']);
    assert.deepEqual(config['Shell'], ['/bin/sh', '-ec']);
    assert.deepEqual(config['OnBuild'], ['RUN echo triggered > /tmp/onbuild']);
    assert.deepEqual((config['Healthcheck'] as { Test: string[] }).Test, ['CMD-SHELL', 'true']);

    const show = (script: string) =>
      out('run', '--rm', '--user', '0', '--entrypoint', '/bin/sh', 'all:1', '-c', script);
    assert.equal(await show('cat /greeting /exec'), 'hi world\nexec-form');
    assert.equal(
      await show('stat -c "%u:%g %a %n" /dest/a.txt /dest/b.txt'),
      '1:2 640 /dest/a.txt\n1:2 640 /dest/b.txt',
    );
    assert.equal(await show('cat /tree/a.txt /docs/README.md'), 'A\nreadme');
    assert.equal(await show('stat -c "%u" /tree/a.txt'), '0');
    assert.equal(await show('cat /unpacked/inside/x.txt'), 'from tar');
    assert.equal(
      await show('cat /downloads/remote.bin; stat -c "%a %Y" /downloads/remote.bin'),
      `served /remote.bin\n600 ${Date.parse('2015-10-21T07:28:00Z') / 1000}`,
    );
    assert.equal(await out('run', '--rm', 'all:1'), 'default args');

    // The HEALTHCHECK of the image applies to its containers.
    await out('run', '-d', '--name', 'all-health', '--entrypoint', 'sleep', 'all:1', '30');
    let status = '';
    for (let i = 0; i < 50 && status !== 'healthy'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await out('inspect', '-f', '{{.State.Health.Status}}', 'all-health');
    }
    assert.equal(status, 'healthy');
    await out('rm', '-f', 'all-health');

    // ONBUILD triggers run in a child build.
    const child = await context('child', { Dockerfile: 'FROM all:1\nRUN true\n' });
    const childBuild = ok(await build(child, '-t', 'child:1'));
    assert.match(childBuild.stdout, /# Executing 1 build trigger\n/);
    assert.equal(
      await out('run', '--rm', '--entrypoint', 'cat', 'child:1', '/tmp/onbuild'),
      'triggered',
    );
    const childConfig = await out('image', 'inspect', '-f', '{{json .Config.OnBuild}}', 'child:1');
    assert.equal(childConfig, 'null');
  });

  test('contexts: -f outside the context, Dockerfiles on stdin, remote URLs, -q', async () => {
    const ctx = await context('contexts', { 'hello.txt': 'hello\n' });
    const dockerfile = join(dir, 'outside.Dockerfile');
    await writeFile(dockerfile, 'FROM busybox\nCOPY hello.txt /h\n');
    ok(await build(ctx, '-f', dockerfile, '-t', 'ctx:outside'));
    assert.equal(await out('run', '--rm', 'ctx:outside', 'cat', '/h'), 'hello');
    const fromStdin = await docker(['build', '-f', '-', '-t', 'ctx:stdin-file', ctx], {
      input: 'FROM busybox\nCOPY hello.txt /s\n',
    });
    ok(fromStdin);
    assert.equal(await out('run', '--rm', 'ctx:stdin-file', 'cat', '/s'), 'hello');
    const onlyDockerfile = await docker(['build', '-t', 'ctx:stdin', '-'], {
      input: 'FROM busybox\nRUN echo from-stdin > /x\n',
    });
    ok(onlyDockerfile);
    assert.equal(await out('run', '--rm', 'ctx:stdin', 'cat', '/x'), 'from-stdin');
    const quiet = ok(await build(ctx, '-q', '-f', dockerfile));
    assert.match(quiet.stdout.trim(), /^sha256:[0-9a-f]{64}$/);

    files.set('/remote.Dockerfile', Buffer.from('FROM busybox\nRUN echo remote > /r\n'));
    const tarDir = await context('remote-ctx', {
      Dockerfile: 'FROM busybox\nCOPY a.txt /a\n',
      'a.txt': 'from remote tar\n',
    });
    const tarPath = join(dir, 'remote-ctx.tar');
    ok(await run('tar', ['-C', tarDir, '-cf', tarPath, '.']));
    files.set('/ctx.tar', await readFile(tarPath));
    ok(await docker(['build', '-t', 'ctx:remote-file', `${serverUrl}/remote.Dockerfile`]));
    assert.equal(await out('run', '--rm', 'ctx:remote-file', 'cat', '/r'), 'remote');
    ok(await docker(['build', '-t', 'ctx:remote-tar', `${serverUrl}/ctx.tar`]));
    assert.equal(await out('run', '--rm', 'ctx:remote-tar', 'cat', '/a'), 'from remote tar');
  });

  test('build options: --cache-from, --pull offline, limits and hosts of RUN steps, Git remotes', async () => {
    const ctx = await context('options', {
      Dockerfile: [
        'FROM busybox',
        'RUN cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null > /mem; true',
        'RUN grep -c buildhost /etc/hosts > /hosts',
        'RUN df -k /dev/shm | tail -1 > /shm',
        '',
      ].join('\n'),
    });
    ok(
      await build(
        ctx,
        '-t',
        'opts:1',
        '--pull',
        '--memory',
        '64m',
        '--add-host',
        'buildhost:127.0.0.9',
        '--shm-size',
        '8m',
      ),
    );
    assert.match(await out('run', '--rm', 'opts:1', 'cat', '/mem'), /^(67108864|64m|67108864)$/m);
    assert.equal(await out('run', '--rm', 'opts:1', 'cat', '/hosts'), '1');
    assert.match(await out('run', '--rm', 'opts:1', 'cat', '/shm'), /\s8192\s/);

    // --cache-from an image that was not built here (saved and loaded back).
    const archive = join(dir, 'opts.tar');
    ok(await docker(['save', '-o', archive, 'opts:1']));
    ok(await docker(['rmi', 'opts:1']));
    ok(await docker(['builder', 'prune', '-af']));
    ok(await docker(['load', '-i', archive]));
    const reused = ok(
      await build(
        ctx,
        '--cache-from',
        'opts:1',
        '--memory',
        '64m',
        '--add-host',
        'buildhost:127.0.0.9',
        '--shm-size',
        '8m',
        '-t',
        'opts:2',
      ),
    );
    assert.equal(reused.stdout.match(/Using cache/g)?.length, 3, reused.stdout);

    // A Git remote (over Git's dumb HTTP protocol, from loopback) when git is installed.
    const git = await run('sh', ['-c', 'command -v git']);
    const request = async (path: string) => {
      const socket = daemon!.host.replace(/^unix:\/\//, '');
      return new Promise<string>((resolve, reject) => {
        const req = httpRequest({ socketPath: socket, path, method: 'POST' }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    };
    const remote = `${serverUrl}/repo.git`;
    if (git.code !== 0) {
      assert.match(
        await request(`/build?remote=${encodeURIComponent(remote)}`),
        /unable to find 'git'/,
      );
      return;
    }
    const work = await context('git-work', {
      Dockerfile: 'FROM busybox\nCOPY a.txt /a\n',
      'a.txt': 'from git\n',
    });
    const sh = (script: string) => run('sh', ['-ec', script]);
    ok(
      await sh(
        `cd ${work} && git init -q && git add . && git -c user.name=t -c user.email=t@t commit -qm init && ` +
          `git clone -q --bare ${work} ${join(dir, 'repo.git')} && cd ${join(dir, 'repo.git')} && git update-server-info`,
      ),
    );
    const answer = await request(`/build?t=gitctx:1&remote=${encodeURIComponent(remote)}`);
    assert.match(answer, /Successfully tagged gitctx:1/, answer);
    assert.equal(await out('run', '--rm', 'gitctx:1', 'cat', '/a'), 'from git');
  });

  test('ARG and ENV: ENV wins, unused build args are reported', async () => {
    const ctx = await context('args', {
      Dockerfile: [
        'FROM busybox',
        'ARG V=default',
        'ENV V=from-env',
        'ARG W',
        'RUN echo "V=$V W=${W:-unset}" > /out',
        '',
      ].join('\n'),
    });
    const result = ok(
      await build(ctx, '-t', 'args:1', '--build-arg', 'V=arg', '--build-arg', 'EXTRA=1'),
    );
    assert.match(result.stdout, /\[Warning\] One or more build-args \[EXTRA\] were not consumed/);
    assert.equal(await out('run', '--rm', 'args:1', 'cat', '/out'), 'V=from-env W=unset');
    ok(await build(ctx, '-t', 'args:2', '--build-arg', 'W=given'));
    assert.equal(await out('run', '--rm', 'args:2', 'cat', '/out'), 'V=from-env W=given');
    // Build args used by a RUN are in its history, as Docker records them.
    const history = await out('history', '--no-trunc', '--format', '{{.CreatedBy}}', 'args:2');
    assert.match(history, /^\|1 W=given \/bin\/sh -c echo/m);
  });

  test('.dockerignore with exceptions', async () => {
    const ctx = await context('ignore', {
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
      '.dockerignore': '*.log\n!keep.log\nsecret/\nDockerfile\n.dockerignore\n',
      'a.log': 'no\n',
      'keep.log': 'yes\n',
      'secret/key': 'hidden\n',
      'plain.txt': 'plain\n',
    });
    ok(await build(ctx, '-t', 'ignore:1'));
    const listing = await out('run', '--rm', 'ignore:1', 'ls', '-A', '/ctx');
    // The Dockerfile and .dockerignore ignore themselves: the build reads them, COPY does not.
    assert.deepEqual(listing.split('\n').sort(), ['keep.log', 'plain.txt']);
  });

  test('COPY makes destinations and parents with Docker’s owners and modes', async () => {
    const ctx = await context('owners', {
      Dockerfile: [
        'FROM busybox',
        'COPY --chown=1000:1000 f /a/b/f',
        'COPY --chown=1000:1000 f /tmp/x/',
        'COPY --chown=1000:1000 sub /d/e/',
        'COPY sub /g/h',
        '',
      ].join('\n'),
      f: 'f\n',
      'sub/s': 's\n',
    });
    await chmod(join(ctx, 'sub'), 0o700);
    ok(await build(ctx, '-t', 'owners:1'));
    const paths = ['/a', '/a/b', '/a/b/f', '/tmp', '/tmp/x', '/d', '/d/e', '/d/e/s', '/g', '/g/h'];
    const stat = await out('run', '--rm', 'owners:1', 'stat', '-c', '%u:%g %a %n', ...paths);
    assert.deepEqual(stat.split('\n'), [
      // New parents of a file belong to --chown's owner; existing ones keep theirs.
      '1000:1000 755 /a',
      '1000:1000 755 /a/b',
      '1000:1000 644 /a/b/f',
      '0:0 1777 /tmp',
      '1000:1000 755 /tmp/x',
      // A directory's contents go into a new 0755 destination (not the source's 0700), whose
      // new parents stay root's.
      '0:0 755 /d',
      '1000:1000 755 /d/e',
      '1000:1000 644 /d/e/s',
      '0:0 755 /g',
      '0:0 755 /g/h',
    ]);
  });

  test('multi-stage: COPY --from=0 and by name, --target, final image has only its stage', async () => {
    const ctx = await context('multi', {
      Dockerfile: [
        'FROM busybox',
        'RUN echo first > /first',
        'FROM busybox AS second',
        'RUN echo second > /second',
        'FROM busybox AS unused',
        'RUN exit 7',
        'FROM busybox',
        'COPY --from=0 /first /got/first',
        'COPY --from=second /second /got/second',
        '',
      ].join('\n'),
    });
    const result = ok(await build(ctx, '-t', 'multi:1'));
    assert.doesNotMatch(result.stdout, /exit 7/);
    assert.equal(
      await out('run', '--rm', 'multi:1', 'cat', '/got/first', '/got/second'),
      'first\nsecond',
    );
    assert.equal(
      (await docker(['run', '--rm', 'multi:1', 'ls', '/first'])).code,
      1,
      'the first stage files are not in the final image',
    );
    ok(await build(ctx, '-t', 'multi:second', '--target', 'second'));
    assert.equal(await out('run', '--rm', 'multi:second', 'cat', '/second'), 'second');
    // Independent stages are built at the same time: their RUN steps overlap.
    const parallel = await context('parallel', {
      Dockerfile: [
        'FROM busybox AS a',
        'RUN cut -d" " -f1 /proc/uptime > /start; sleep 1; cut -d" " -f1 /proc/uptime > /end',
        'FROM busybox AS b',
        'RUN cut -d" " -f1 /proc/uptime > /start; sleep 1; cut -d" " -f1 /proc/uptime > /end',
        'FROM busybox',
        'COPY --from=a /start /a/start',
        'COPY --from=a /end /a/end',
        'COPY --from=b /start /b/start',
        'COPY --from=b /end /b/end',
        '',
      ].join('\n'),
    });
    const parallelBuild = ok(await build(parallel, '-t', 'parallel:1'));
    // The output still reads in Dockerfile order.
    const steps = [...parallelBuild.stdout.matchAll(/^Step (\d+)\//gm)].map((m) => Number(m[1]));
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [aStart, aEnd, bStart, bEnd] = (
      await out('run', '--rm', 'parallel:1', 'cat', '/a/start', '/a/end', '/b/start', '/b/end')
    )
      .split('\n')
      .map(Number) as [number, number, number, number];
    assert.ok(aStart < bEnd && bStart < aEnd, `a ${aStart}-${aEnd}, b ${bStart}-${bEnd}`);

    // FROM scratch: the files come only from COPY; no empty helper image stays behind.
    const scratch = await context('scratch', {
      Dockerfile:
        'FROM busybox AS src\nFROM scratch\nCOPY --from=src /bin/busybox /bin/busybox\nCMD ["/bin/busybox", "echo", "from scratch"]\n',
    });
    ok(await build(scratch, '-t', 'scratch:1'));
    assert.equal(await out('run', '--rm', 'scratch:1'), 'from scratch');
    assert.doesNotMatch(await out('images', '-a', '--format', '{{.CreatedAt}}'), /1970/);
    const missing = await build(ctx, '--target', 'nosuch');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /target stage "nosuch" could not be found/);
  });

  test('cache: a rebuild reuses every step; a changed file invalidates from its COPY', async () => {
    const ctx = await context('cache', {
      Dockerfile:
        'FROM busybox\nENV A=1\nRUN echo run > /r\nCOPY f.txt /f.txt\nRUN cat /f.txt > /g\n',
      'f.txt': 'one\n',
    });
    const first = ok(await build(ctx, '-t', 'cache:1'));
    assert.doesNotMatch(first.stdout, /Using cache/);
    const second = ok(await build(ctx, '-t', 'cache:1'));
    assert.equal(second.stdout.match(/Using cache/g)?.length, 4);
    assert.equal(
      first.stdout.match(/Successfully built (\w+)/)?.[1],
      second.stdout.match(/Successfully built (\w+)/)?.[1],
    );
    // The cache survives a kill -9 of moord.
    daemon!.proc.kill('SIGKILL');
    await daemon!.exited;
    daemon = await relaunch(daemon!);
    const afterRestart = ok(await build(ctx, '-t', 'cache:1'));
    assert.equal(afterRestart.stdout.match(/Using cache/g)?.length, 4);
    await writeFile(join(ctx, 'f.txt'), 'two\n');
    const third = ok(await build(ctx, '-t', 'cache:1'));
    assert.equal(third.stdout.match(/Using cache/g)?.length, 2);
    assert.equal(await out('run', '--rm', 'cache:1', 'cat', '/g'), 'two');
    const nocache = ok(await build(ctx, '--no-cache', '-t', 'cache:1'));
    assert.doesNotMatch(nocache.stdout, /Using cache/);

    // The cache is in system df and goes with builder prune.
    const df = await out('system', 'df', '--format', '{{.Type}} {{.TotalCount}}');
    assert.match(df, /^Build Cache [1-9]\d*$/m);
    const prune = ok(await docker(['builder', 'prune', '-af']));
    assert.match(prune.stdout, /Total reclaimed space/);
    const again = ok(await build(ctx, '-t', 'cache:1'));
    assert.doesNotMatch(again.stdout, /Using cache/);
  });

  test('failures: Docker messages, exit codes, the failed step container kept', async () => {
    const failing = await context('fail-run', {
      Dockerfile: 'FROM busybox\nRUN echo before\nRUN exit 3\n',
    });
    const failed = await build(failing, '-t', 'fail:1');
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    const kept = await out('ps', '-a', '--filter', 'status=exited', '--format', '{{.Command}}');
    assert.match(kept, /"\/bin\/sh -c exit 3"/);
    assert.equal((await docker(['image', 'inspect', 'fail:1'])).code, 1, 'nothing tagged');
    const forced = await build(failing, '--force-rm');
    assert.equal(forced.code, 3);

    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ Dockerfile: 'FROM busybox\nFOO bar\n' }, /unknown instruction: FOO/],
      [{ Dockerfile: 'FROM nosuch-image:1\n' }, /nosuch-image:1/],
      [{ Dockerfile: 'FROM busybox\nCOPY ../outside /x\n' }, /outside the build context/],
      [{ Dockerfile: 'FROM busybox\nCOPY nomatch* /x/\n' }, /no source files were specified/],
      [{ Dockerfile: 'FROM busybox\nCOPY missing.txt /x\n' }, /missing.txt/],
      [{ Dockerfile: 'FROM busybox\nCMD ["unterminated"\n' }, /./],
      [{ 'Dockerfile/x': 'not a file\n' }, /Dockerfile/],
    ];
    for (const [files, message] of cases) {
      const ctx = await context(`bad-${Object.values(files)[0]!.length}-${Math.random()}`, files);
      const result = await build(ctx, '-t', 'bad:1');
      if (files['Dockerfile']?.includes('unterminated')) {
        // A malformed JSON form is the shell form, as in Docker: the build succeeds.
        assert.equal(result.code, 0, result.stderr);
        continue;
      }
      assert.notEqual(result.code, 0, `${JSON.stringify(files)} built`);
      assert.match(result.stderr, message);
    }
  });

  test('docker commit with message, author and changes, seen in docker history', async () => {
    await out('run', '--name', 'commit-src', 'busybox', 'sh', '-c', 'echo hi > /hello; rm /bin/ls');
    const id = await out(
      'commit',
      '-a',
      'Jane <j@example.com>',
      '-m',
      'my message',
      '-c',
      'CMD ["cat","/hello"]',
      'commit-src',
      'committed:1',
    );
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const history = await out(
      'history',
      '--no-trunc',
      '--format',
      '{{.Comment}}|{{.CreatedBy}}',
      'committed:1',
    );
    assert.equal(history.split('\n')[0], 'my message|sh -c echo hi > /hello; rm /bin/ls');
    assert.equal(
      await out('inspect', '-f', '{{.Author}} {{json .Config.Cmd}}', 'committed:1'),
      'Jane <j@example.com> ["cat","/hello"]',
    );
    assert.equal(await out('run', '--rm', 'committed:1'), 'hi');
    assert.notEqual((await docker(['run', '--rm', 'committed:1', 'ls'])).code, 0, 'ls was deleted');
    await out('rm', 'commit-src');
  });
});
