import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type TestDaemon, MOOR, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** The moor image commands end to end against a real moord (images made by `moor bootstrap`). */
describe('moor image commands against moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-images-cli-files-'));
    daemon = await startTestDaemon('images-cli');
  });
  after(async () => {
    await cleanupDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const moor = (args: string[]) =>
    run(MOOR, args, { env: { DOCKER_HOST: daemon!.host, MOOR_HOST: '' } });
  /** Runs a shell line with moor on DOCKER_HOST (for redirections). */
  const sh = (line: string) =>
    run('sh', ['-c', line], { env: { DOCKER_HOST: daemon!.host, MOOR_HOST: '', MOOR } });
  const shortId = async (ref: string) => {
    const r = await moor(['image', 'inspect', '--format', '{{.Id}}', ref]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .trim()
      .replace(/^sha256:/, '')
      .slice(0, 12);
  };

  test('bootstrap imports busybox:latest once', async () => {
    const first = await moor(['bootstrap']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const again = await moor(['bootstrap']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'busybox:latest is already present\n');
    const inspect = await moor(['image', 'inspect', '--format', '{{json .Config.Cmd}}', 'busybox']);
    assert.equal(inspect.stdout, '["sh"]\n', inspect.stderr);
  });

  test('images prints docker columns, aligned', async () => {
    const r = await moor(['images']);
    assert.equal(r.code, 0, r.stderr);
    const [header = '', ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(header, /^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED +SIZE$/);
    const row = rows.find((line) => line.startsWith('busybox '));
    assert.ok(row, r.stdout);
    assert.match(row, /^busybox {6}latest {4}[0-9a-f]{12} {3}.+ ago +\d+(\.\d+)?[kM]?B$/);
    assert.equal(row.indexOf('latest'), header.indexOf('TAG'));
    assert.equal(
      row.slice(header.indexOf('IMAGE ID'), header.indexOf('IMAGE ID') + 12),
      await shortId('busybox'),
    );
    assert.equal(row.search(/\S+$/), header.indexOf('SIZE'));
  });

  test('images --format, -q, --digests and a reference argument', async () => {
    const format = await moor(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(format.stdout, 'busybox:latest\n', format.stderr);
    const quiet = await moor(['images', '-q', 'busybox']);
    assert.equal(quiet.stdout, `${await shortId('busybox')}\n`);
    const none = await moor(['image', 'ls', 'nosuchrepo']);
    assert.equal(none.stdout, 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
    const digests = await moor(['images', '--digests']);
    assert.match(digests.stdout, /^REPOSITORY {3}TAG {7}DIGEST {4}IMAGE ID /);
    const json = await moor(['images', '--format', 'json']);
    const row = JSON.parse(json.stdout.split('\n')[0] ?? '') as Record<string, string>;
    assert.equal(row['Repository'], 'busybox');
    assert.equal(row['ID'], await shortId('busybox'));
    const bad = await moor(['images', '--format', '{{.Repository']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^template parsing error: /);
  });

  test('tag, then rmi untags before it deletes', async () => {
    try {
      const tag = await moor(['tag', 'busybox', 'images-cli/tagged:v1']);
      assert.equal(tag.code, 0, tag.stderr);
      // Like docker, a reference filter lists only the matching tags of an image.
      const listed = await moor(['images', '--format', '{{.Repository}}:{{.Tag}}', 'images-cli/*']);
      assert.equal(listed.stdout, 'images-cli/tagged:v1\n');
      const untag = await moor(['rmi', 'images-cli/tagged:v1']);
      assert.equal(untag.code, 0, untag.stderr);
      assert.equal(untag.stdout, 'Untagged: images-cli/tagged:v1\n');

      await moor(['tag', 'busybox', 'images-cli/copy:1']);
      const id = (await moor(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).stdout.trim();
      const both = await moor(['image', 'rm', 'images-cli/copy:1', 'images-cli/missing:1']);
      assert.equal(both.code, 1);
      assert.equal(both.stdout, 'Untagged: images-cli/copy:1\n');
      assert.match(
        both.stderr,
        /^Error response from daemon: No such image: images-cli\/missing:1\n$/,
      );
      const forced = await moor(['rmi', '-f', 'images-cli/missing:1']);
      assert.equal(forced.code, 0);
      assert.match(forced.stderr, /No such image/);
      assert.equal(
        (await moor(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim(),
        id,
      );
    } finally {
      await moor(['rmi', 'images-cli/tagged:v1', 'images-cli/copy:1']);
    }
  });

  test('history shows the image layer', async () => {
    const r = await moor(['history', 'busybox']);
    assert.equal(r.code, 0, r.stderr);
    const [header = '', first = ''] = r.stdout.split('\n');
    assert.match(header, /^IMAGE {10}CREATED +CREATED BY +SIZE +COMMENT$/);
    assert.ok(first.startsWith(await shortId('busybox')), r.stdout);
    const raw = await moor([
      'image',
      'history',
      '--human=false',
      '--format',
      '{{.Size}}',
      'busybox',
    ]);
    assert.match(raw.stdout, /^\d+\n/);
    const missing = await moor(['history', 'images-cli/none']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error response from daemon: No such image/);
  });

  test('inspect prints a 4-space indented JSON array; missing images fail', async () => {
    const r = await moor(['image', 'inspect', 'busybox']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[\n {4}\{\n {8}"Id": "sha256:[0-9a-f]{64}",\n/);
    const parsed = JSON.parse(r.stdout) as { RepoTags: string[] }[];
    assert.deepEqual(parsed[0]?.RepoTags, ['busybox:latest']);
    const missing = await moor(['image', 'inspect', 'images-cli/none']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '[]\n');
    assert.match(missing.stderr, /No such image: images-cli\/none/);
    const top = await moor(['inspect', '--format', '{{.RepoTags}}', 'busybox', 'images-cli/none']);
    assert.equal(top.code, 1);
    assert.equal(top.stdout, '[busybox:latest]\n');
    assert.equal(top.stderr, 'Error: No such object: images-cli/none\n');
  });

  test('save to a file, rmi, load it back', async () => {
    const archive = join(dir, 'busybox.tar');
    const id = (await moor(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
    const save = await moor(['save', '-o', archive, 'busybox']);
    assert.equal(save.code, 0, save.stderr);
    const manifest = await run('tar', ['-xOf', archive, 'manifest.json']);
    assert.match(manifest.stdout, /"RepoTags":\["busybox:latest"\]/);
    const piped = await sh(`"$MOOR" save busybox > ${join(dir, 'stdout.tar')}`);
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(await readFile(join(dir, 'stdout.tar')), await readFile(archive));

    const rmi = await moor(['rmi', 'busybox']);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.equal(rmi.stdout, `Untagged: busybox:latest\nDeleted: ${id}\n`);
    const load = await moor(['load', '-i', archive]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, 'Loaded image: busybox:latest\n');
    assert.equal((await moor(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim(), id);
    const again = await sh(`"$MOOR" load < ${archive}`);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'Loaded image: busybox:latest\n');
    const noFile = await moor(['load', '-i', join(dir, 'nope.tar')]);
    assert.equal(noFile.code, 1);
    assert.equal(noFile.stderr, `open ${join(dir, 'nope.tar')}: no such file or directory\n`);
  });

  test('import a tarball with -c and -m', async () => {
    const tarball = join(dir, 'rootfs.tar');
    const tar = await run('tar', ['-C', '/', '-cf', tarball, 'bin/busybox']);
    assert.equal(tar.code, 0, tar.stderr);
    const r = await moor([
      'import',
      '-c',
      'CMD ["sh"]',
      '-m',
      'images-cli import',
      tarball,
      'images-cli/imported:1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const id = r.stdout.trim();
    const inspect = await moor([
      'image',
      'inspect',
      '-f',
      '{{.Id}} {{json .Config.Cmd}} {{.Comment}}',
      'images-cli/imported:1',
    ]);
    assert.equal(inspect.stdout, `${id} ["sh"] images-cli import\n`, inspect.stderr);
    const history = await moor(['history', '--format', '{{.Comment}}', 'images-cli/imported:1']);
    assert.equal(history.stdout, 'images-cli import\n');
    const stdin = await sh(`"$MOOR" image import - images-cli/imported:2 < ${tarball}`);
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.match(stdin.stdout, /^sha256:[0-9a-f]{64}\n$/);
  });

  test('image prune removes dangling images', async () => {
    const tarball = join(dir, 'dangling.tar');
    await run('tar', ['-C', '/', '-cf', tarball, 'bin/busybox']);
    const imported = await moor(['import', '-m', 'dangling', tarball]);
    assert.equal(imported.code, 0, imported.stderr);
    const id = imported.stdout.trim();
    const dangling = await moor(['images', '-q', '--no-trunc', '-f', 'dangling=true']);
    assert.match(dangling.stdout, new RegExp(id));
    const prune = await moor(['image', 'prune', '-f']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, new RegExp(`^Deleted Images:\\n(.*\\n)*deleted: ${id}\\n`));
    assert.match(prune.stdout, /\nTotal reclaimed space: \d+(\.\d+)?[kM]?B\n$/);
    const declined = await run(MOOR, ['image', 'prune'], {
      env: { DOCKER_HOST: daemon!.host, MOOR_HOST: '' },
      input: 'n\n',
    });
    assert.equal(declined.code, 0);
    assert.equal(
      declined.stdout,
      'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ',
    );
    assert.equal((await moor(['images', '-q', 'busybox'])).code, 0);
  });
});
