import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type TestDaemon, MOOR, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/**
 * The real docker CLI's image commands against moord, and moor's output next to docker's.
 * `moor bootstrap` makes busybox:latest, since the daemon has no registry to pull from.
 */
describe('docker CLI image commands against moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-images-docker-cli-'));
    daemon = await startTestDaemon('images-docker-cli');
    const boot = await moor(['bootstrap']);
    assert.equal(boot.code, 0, boot.stderr);
  });
  after(async () => {
    await cleanupDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  /** The real docker CLI, isolated from any user config. */
  const docker = (args: string[]) =>
    run('docker', args, {
      env: { DOCKER_CONFIG: join(dir, 'docker-config'), DOCKER_HOST: daemon!.host },
    });
  const moor = (args: string[]) =>
    run(MOOR, args, { env: { DOCKER_HOST: daemon!.host, MOOR_HOST: '' } });
  /** Both CLIs' output for the same arguments; each must succeed. */
  const both = async (args: string[]) => {
    const [d, m] = await Promise.all([docker(args), moor(args)]);
    assert.equal(d.code, 0, `docker ${args.join(' ')}: ${d.stderr}`);
    assert.equal(m.code, 0, `moor ${args.join(' ')}: ${m.stderr}`);
    return { docker: d.stdout, moor: m.stdout };
  };
  /** docker prints an image's tags in Go map order; compare the lines as sets. */
  const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');

  test('docker images and moor images agree', async () => {
    const names = await both(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(names.docker, 'busybox:latest\n');
    assert.equal(names.moor, names.docker);
    const table = await both(['images']);
    assert.match(
      table.docker,
      /^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED +SIZE\nbusybox {6}latest {4}[0-9a-f]{12} /,
    );
    // CREATED may tick between the two calls (and its width with it): compare everything but
    // that column and the padding after it.
    const strip = (text: string) =>
      text
        .replace(/(\d+ \w+|Less than a second|About an? \w+) ago/g, 'T')
        .replace(/(CREATED|T) +/g, '$1 ');
    assert.equal(strip(table.moor), strip(table.docker));
    for (const args of [
      ['images', '-q'],
      ['images', '--no-trunc', '--format', '{{.ID}} {{.Size}}'],
      ['images', '--digests', '--format', 'table {{.Repository}}\t{{.Digest}}'],
    ]) {
      const out = await both(args);
      assert.equal(out.moor, out.docker, args.join(' '));
    }
    const json = await both(['images', '--format', '{{json .}}']);
    const keys = (text: string) => Object.keys(JSON.parse(text.split('\n')[0] ?? '{}') as object);
    assert.deepEqual(keys(json.moor), keys(json.docker));
  });

  test('docker tag and docker rmi', async () => {
    const tag = await docker(['tag', 'busybox', 'images-docker-cli/tagged:v1']);
    assert.equal(tag.code, 0, tag.stderr);
    const names = await both(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(sorted(names.docker), 'busybox:latest\nimages-docker-cli/tagged:v1');
    assert.equal(sorted(names.moor), sorted(names.docker));
    const rmi = await docker(['rmi', 'images-docker-cli/tagged:v1']);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.equal(rmi.stdout, 'Untagged: images-docker-cli/tagged:v1\n');
    const missing = await docker(['rmi', 'images-docker-cli/missing:1']);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^Error response from daemon: No such image: images-docker-cli\/missing:1/,
    );
    const moorMissing = await moor(['rmi', 'images-docker-cli/missing:1']);
    assert.equal(moorMissing.stderr, missing.stderr);
  });

  test('docker history and docker image inspect', async () => {
    const history = await both([
      'history',
      '--format',
      '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}',
      'busybox',
    ]);
    assert.match(history.docker, /^[0-9a-f]{12}\|/);
    assert.equal(history.moor, history.docker);
    const inspect = await both(['image', 'inspect', 'busybox']);
    assert.equal(inspect.moor, inspect.docker);
    const format = await both([
      'image',
      'inspect',
      '--format',
      '{{.Id}} {{json .Config.Cmd}} {{.Os}}',
      'busybox',
    ]);
    assert.match(format.docker, /^sha256:[0-9a-f]{64} \["sh"\] linux\n$/);
    assert.equal(format.moor, format.docker);
  });

  test('docker save, rmi, docker load', async () => {
    const archive = join(dir, 'busybox.tar');
    const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).stdout.trim();
    const save = await docker(['save', '-o', archive, 'busybox']);
    assert.equal(save.code, 0, save.stderr);
    const rmi = await docker(['rmi', 'busybox']);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.equal(rmi.stdout, `Untagged: busybox:latest\nDeleted: ${id}\n`);
    const load = await docker(['load', '-i', archive]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, 'Loaded image: busybox:latest\n');
    const again = (
      await docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])
    ).stdout.trim();
    assert.equal(again, id);
    // moor reads docker's archive back the same way.
    const moorLoad = await moor(['load', '-i', archive]);
    assert.equal(moorLoad.stdout, load.stdout, moorLoad.stderr);
  });

  test('docker import with -c and -m', async () => {
    const tarball = join(dir, 'rootfs.tar');
    const tar = await run('tar', ['-C', '/', '-cf', tarball, 'bin/busybox']);
    assert.equal(tar.code, 0, tar.stderr);
    const r = await docker([
      'import',
      '-c',
      'CMD ["sh"]',
      '-m',
      'from docker',
      tarball,
      'images-docker-cli/imported:1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const inspect = await both([
      'image',
      'inspect',
      '--format',
      '{{json .Config.Cmd}} {{.Comment}}',
      'images-docker-cli/imported:1',
    ]);
    assert.equal(inspect.docker, '["sh"] from docker\n');
    assert.equal(inspect.moor, inspect.docker);
    const names = await both(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(sorted(names.moor), sorted(names.docker));
    const rmi = await docker(['rmi', 'images-docker-cli/imported:1']);
    assert.equal(rmi.code, 0, rmi.stderr);
  });
});
