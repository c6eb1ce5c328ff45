import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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
import { MOOR, type TestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const stamp = (ms: number) => (ms / 1000).toFixed(3);

/** An Engine API call on the daemon's socket; the answer's status and parsed JSON body. */
function api(
  daemon: TestDaemon,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
    const req = request({ socketPath: daemon.socket, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * `docker commit` against moord, checked with the docker CLI as a user sees it (history,
 * inspect, a run of the new image, events) and in the layer itself (`docker save`): the
 * container's changes only, deletions as whiteouts, never the files the engine mounts. Both
 * storage drivers: overlay2 reads the writable layer, vfs compares the tree with the image's.
 */
for (const driver of ['overlay2', 'vfs']) {
  describe(`docker commit (${driver})`, { skip: !isRoot && 'needs root' }, () => {
    let daemon: TestDaemon | undefined;
    let work = '';
    let docker: ReturnType<typeof dockerCli>;
    let busyboxLayers = 0;

    /** stdout of a docker command that must succeed. */
    async function out(...args: string[]): Promise<string> {
      const r = await docker(args);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    }

    /** The entries of an image's top layer, as `docker save` writes it. */
    async function topLayerEntries(image: string): Promise<string[]> {
      const dir = join(work, `save-${image.replace(/[^a-z0-9]/g, '-')}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await out('save', '-o', join(dir, 'image.tar'), image);
      const untar = await run('tar', ['-xf', join(dir, 'image.tar'), '-C', dir]);
      assert.equal(untar.code, 0, untar.stderr);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Array<{
        Layers: string[];
      }>;
      const top = manifest[0]?.Layers.at(-1) ?? '';
      const list = await run('tar', ['-tf', join(dir, top)]);
      assert.equal(list.code, 0, list.stderr);
      return list.stdout.split('\n').filter((l) => l !== '');
    }

    /** Container events of `name` in a time range, as `Action` lines. */
    async function actions(name: string, since: number, until: number): Promise<string[]> {
      const lines = await out(
        ...['events', '--since', stamp(since), '--until', stamp(until)],
        ...['--filter', `container=${name}`, '--format', '{{.Action}}'],
      );
      return lines.split('\n').filter(Boolean);
    }

    before(async () => {
      work = await mkdtemp(join(tmpdir(), `moor-commit-${driver}-`));
      daemon = await startDaemonWithBusybox(`commit-${driver}`, {
        args: ['--storage-driver', driver],
      });
      docker = dockerCli(daemon, join(work, 'docker-config'));
      busyboxLayers = Number(await out('inspect', '-f', '{{len .RootFS.Layers}}', 'busybox'));
    });
    after(async () => {
      await cleanupContainerDaemon(daemon);
      await rm(work, { recursive: true, force: true });
    });

    test('author, message and a change: in history and inspect; the image has the files', async () => {
      const script =
        'echo hello > /hello; rm /bin/ls; mkdir -p /a/b; echo x > /a/b/f; echo more >> /etc/passwd';
      await out(
        'run',
        '--name',
        'commit-files',
        '--network',
        'none',
        'busybox',
        'sh',
        '-c',
        script,
      );
      const id = await out(
        ...['commit', '-a', 'Jane <j@x>', '-m', 'my message', '-c', 'CMD ["cat","/hello"]'],
        ...['commit-files', 'commit-test:tag'],
      );
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      assert.equal(await out('inspect', '-f', '{{.Id}}', 'commit-test:tag'), id);
      const history = await out(
        ...['history', '--no-trunc', '--format', '{{.Comment}}|{{.CreatedBy}}'],
        'commit-test:tag',
      );
      assert.equal(history.split('\n')[0], `my message|sh -c ${script}`);
      const busyboxId = await out('inspect', '-f', '{{.Id}}', 'busybox');
      assert.equal(
        await out(
          ...['inspect', '-f', '{{.Author}}|{{json .Config.Cmd}}|{{.Parent}}|{{.Comment}}'],
          'commit-test:tag',
        ),
        `Jane <j@x>|["cat","/hello"]|${busyboxId}|my message`,
      );
      assert.equal(
        Number(await out('inspect', '-f', '{{len .RootFS.Layers}}', 'commit-test:tag')),
        busyboxLayers + 1,
      );
      assert.equal(await out('run', '--rm', '--network', 'none', 'commit-test:tag'), 'hello');
      const seen = await out(
        ...['run', '--rm', '--network', 'none', 'commit-test:tag', 'sh', '-c'],
        'test ! -e /bin/ls && cat /a/b/f && tail -n 1 /etc/passwd',
      );
      assert.equal(seen, 'x\nmore');
      // The layer holds what `docker diff` lists (deletions as whiteouts), and nothing the
      // engine mounted: /etc/hosts, /etc/hostname, /etc/resolv.conf stay out of it.
      assert.equal(
        await out('diff', 'commit-files'),
        [
          'A /a',
          'A /a/b',
          'A /a/b/f',
          'C /bin',
          'D /bin/ls',
          'C /etc',
          'C /etc/passwd',
          'A /hello',
        ].join('\n'),
      );
      assert.deepEqual(await topLayerEntries('commit-test:tag'), [
        'a/',
        'a/b/',
        'a/b/f',
        'bin/',
        'bin/.wh.ls',
        'etc/',
        'etc/passwd',
        'hello',
      ]);
    });

    test('a running container is paused meanwhile, unless --pause=false; a paused one stays so', async () => {
      await out(
        ...['run', '-d', '--name', 'commit-run', '--network', 'none', 'busybox', 'sh', '-c'],
        'echo up > /up; sleep 600',
      );
      await until(async () => (await docker(['exec', 'commit-run', 'cat', '/up'])).code === 0);
      const t0 = Date.now() - 1;
      await out('commit', 'commit-run', 'commit-test:running');
      await out('commit', '--pause=false', 'commit-run');
      const t1 = Date.now() + 1;
      assert.deepEqual(await actions('commit-run', t0, t1), [
        'pause',
        'commit',
        'unpause',
        'commit',
      ]);
      assert.equal(await out('inspect', '-f', '{{.State.Status}}', 'commit-run'), 'running');
      assert.equal(
        await out('run', '--rm', '--network', 'none', 'commit-test:running', 'cat', '/up'),
        'up',
      );

      await out('pause', 'commit-run');
      const t2 = Date.now() - 1;
      await out('commit', 'commit-run', 'commit-test:paused');
      const t3 = Date.now() + 1;
      assert.deepEqual(await actions('commit-run', t2, t3), ['commit']);
      assert.equal(await out('inspect', '-f', '{{.State.Status}}', 'commit-run'), 'paused');
      await out('unpause', 'commit-run');
      await out('rm', '-f', 'commit-run');
    });

    test('an unchanged container adds no layer, only a history entry (as dockerd)', async () => {
      await out('create', '--name', 'commit-fresh', '--network', 'none', 'busybox');
      await out('run', '--name', 'commit-true', '--network', 'none', 'busybox', 'true');
      await out('commit', 'commit-fresh', 'commit-test:fresh');
      await out('commit', 'commit-true', 'commit-test:true');
      for (const [image, cmd] of [
        ['commit-test:fresh', 'sh'],
        ['commit-test:true', 'true'],
      ] as const) {
        assert.equal(
          Number(await out('inspect', '-f', '{{len .RootFS.Layers}}', image)),
          busyboxLayers,
        );
        const top = await out(
          ...['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}'],
          image,
        );
        assert.equal(top.split('\n')[0], `${cmd}|0B`);
      }
      assert.equal(await out('diff', 'commit-true'), '');
    });

    test('mount points of volumes, binds and tmpfs are changes; the engine’s files are not', async () => {
      const bind = join(work, 'bind');
      await mkdir(bind);
      await out(
        ...['run', '--name', 'commit-mounts', '--network', 'none', '-v', '/newdir'],
        ...['-v', `${bind}:/x/y`, '--tmpfs', '/tt/u', 'busybox', 'true'],
      );
      assert.equal(
        await out('diff', 'commit-mounts'),
        ['A /newdir', 'A /tt', 'A /tt/u', 'A /x', 'A /x/y'].join('\n'),
      );
      await out('commit', 'commit-mounts', 'commit-test:mounts');
      assert.deepEqual(await topLayerEntries('commit-test:mounts'), [
        'newdir/',
        'tt/',
        'tt/u/',
        'x/',
        'x/y/',
      ]);
      assert.equal(
        await out('inspect', '-f', '{{json .Config.Volumes}}', 'commit-test:mounts'),
        '{"/newdir":{}}',
      );
    });

    test('an opaque directory, links, devices and owners survive the commit', async () => {
      await out(
        ...['run', '--name', 'commit-base', '--network', 'none', 'busybox', 'sh', '-c'],
        'mkdir -p /data/sub && echo a > /data/a && echo c > /data/sub/c',
      );
      await out('commit', 'commit-base', 'commit-test:base');
      await out(
        ...['run', '--name', 'commit-kinds', '--network', 'none', 'commit-test:base', 'sh', '-c'],
        'rm -rf /data && mkdir /data && echo n > /data/n && echo h > /h1 && ln /h1 /h2 && ' +
          'ln -s /data/n /sl && mkfifo /ff && mknod /null2 c 1 3 && echo s > /suid && ' +
          'chmod 4755 /suid && echo o > /own && chown 123:456 /own',
      );
      await out('commit', 'commit-kinds', 'commit-test:kinds');
      const entries = await topLayerEntries('commit-test:kinds');
      assert.equal(await out('info', '-f', '{{.Driver}}'), driver);
      const hidden = driver === 'overlay2' ? ['data/.wh..wh..opq'] : ['data/.wh.a', 'data/.wh.sub'];
      for (const name of ['data/', ...hidden, 'data/n', 'h1', 'h2', 'sl', 'ff', 'null2', 'own']) {
        assert.ok(entries.includes(name), `${name} in ${entries.join(' ')}`);
      }
      const seen = await out(
        ...['run', '--rm', '--network', 'none', 'commit-test:kinds', 'sh', '-c'],
        'ls /data; stat -c "%h %F" /h1; readlink /sl; stat -c "%F %t,%T" /null2; ' +
          'stat -c "%F" /ff; stat -c "%a" /suid; stat -c "%u:%g" /own',
      );
      assert.equal(
        seen,
        [
          'n',
          '2 regular file',
          '/data/n',
          'character special file 1,3',
          'fifo',
          '4755',
          '123:456',
        ].join('\n'),
      );
    });

    test('events: the image is tagged, then the container’s commit names it', async () => {
      await out(
        'create',
        '--name',
        'commit-events',
        '--network',
        'none',
        '--label',
        'team=a',
        'busybox',
      );
      const t0 = Date.now() - 1;
      const id = await out('commit', '-m', 'why', 'commit-events', 'commit-test:events');
      const t1 = Date.now() + 1;
      const lines = await out(
        ...['events', '--since', stamp(t0), '--until', stamp(t1)],
        ...['--format', '{{.Type}} {{.Action}} {{json .Actor.Attributes}}'],
      );
      assert.deepEqual(lines.split('\n'), [
        `image tag ${JSON.stringify({ name: 'commit-test:events', team: 'a' })}`,
        `container commit ${JSON.stringify({
          comment: 'why',
          image: 'busybox',
          imageID: id,
          imageRef: 'commit-test:events',
          name: 'commit-events',
          team: 'a',
        })}`,
      ]);
    });

    test('the API: a body config merged with the container’s, dockerd’s errors', async () => {
      const d = daemon!;
      await out(
        ...['create', '--name', 'commit-api', '--network', 'none', '-e', 'X=1', '-e', 'Y=2'],
        ...['--entrypoint', '/bin/echo', '-w', '/tmp', 'busybox', 'hello'],
      );
      const made = await api(
        d,
        'POST',
        '/v1.51/commit?container=commit-api&repo=commit-test&tag=api&changes=LABEL%20c%3Dd',
        { Env: ['Y=5', 'Z=3'], Cmd: ['ls'] },
      );
      assert.equal(made.status, 201, JSON.stringify(made.json));
      const { Id } = made.json as { Id: string };
      const image = await api(d, 'GET', `/v1.51/images/${Id}/json`);
      const config = (image.json as { Config: Record<string, unknown> }).Config;
      assert.deepEqual(
        [
          config['Env'],
          config['Cmd'],
          config['Entrypoint'],
          config['WorkingDir'],
          config['Labels'],
        ],
        [['Y=5', 'Z=3', 'X=1'], ['ls'], ['/bin/echo'], '/tmp', { c: 'd' }],
      );
      const none = await api(d, 'POST', '/v1.51/commit?container=commit-nosuch');
      assert.deepEqual(
        [none.status, none.json],
        [404, { message: 'No such container: commit-nosuch' }],
      );
      const badTag = await api(d, 'POST', '/v1.51/commit?container=commit-api&repo=x&tag=b@d');
      assert.deepEqual([badTag.status, badTag.json], [400, { message: 'invalid tag format' }]);
      const badChange = await api(d, 'POST', '/v1.51/commit?container=commit-api&changes=RUN%20x');
      assert.deepEqual(
        [badChange.status, badChange.json],
        [400, { message: 'RUN is not a valid change command' }],
      );
    });

    test('moor commit prints the id as docker does', async () => {
      const host = daemon?.host ?? '';
      const made = await run(MOOR, [
        '-H',
        host,
        'commit',
        '-m',
        'by moor',
        'commit-files',
        'commit-test:moor',
      ]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /^sha256:[0-9a-f]{64}\n$/);
      assert.equal(await out('inspect', '-f', '{{.Comment}}', 'commit-test:moor'), 'by moor');
      for (const args of [['commit-files', 'Bad:x'], ['commit-nosuch']]) {
        const viaMoor = await run(MOOR, ['-H', host, 'commit', ...args]);
        const viaDocker = await docker(['commit', ...args]);
        assert.deepEqual(
          [viaMoor.code, viaMoor.stdout, viaMoor.stderr],
          [viaDocker.code, viaDocker.stdout, viaDocker.stderr],
        );
      }
    });
  });
}
