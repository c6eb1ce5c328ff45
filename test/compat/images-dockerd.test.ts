import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { makeTar } from '../helpers/archives.js';
import { type ReferenceDockerd, haveDockerd, startReferenceDockerd } from '../helpers/dockerd.js';
import { type TestDaemon, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot
  ? 'needs root'
  : !haveDockerd()
    ? 'needs a real dockerd (Debian docker.io)'
    : false;

describe('image archives interchange with a real dockerd', { skip }, () => {
  let moord: TestDaemon | undefined;
  let dockerd: ReferenceDockerd | undefined;
  let dir = '';
  const docker = (host: string, args: string[]) =>
    run('docker', ['-H', host, ...args], { env: { DOCKER_CONFIG: dir }, timeoutMs: 120_000 });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-interop-'));
    [moord, dockerd] = await Promise.all([
      startTestDaemon('interop'),
      startReferenceDockerd('interop'),
    ]);
    const rootfs = await makeTar([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/tool', content: 'pretend binary\n', mode: 0o755 },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/link', type: 'symlink', linkname: '../bin/tool' },
    ]);
    await writeFile(join(dir, 'rootfs.tar'), rootfs);
  });
  after(async () => {
    await cleanupDaemon(moord);
    await dockerd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('docker save from dockerd loads into moor with the same image id', async () => {
    const imported = await docker(dockerd!.host, [
      'import',
      '-c',
      'CMD ["/bin/tool"]',
      join(dir, 'rootfs.tar'),
      'from-dockerd:1',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    const saved = await docker(dockerd!.host, [
      'save',
      '-o',
      join(dir, 'from-dockerd.tar'),
      'from-dockerd:1',
    ]);
    assert.equal(saved.code, 0, saved.stderr);
    const loaded = await docker(moord!.host, ['load', '-i', join(dir, 'from-dockerd.tar')]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, /Loaded image: from-dockerd:1/);
    const idThere = await docker(dockerd!.host, [
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      'from-dockerd:1',
    ]);
    const idHere = await docker(moord!.host, [
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      'from-dockerd:1',
    ]);
    assert.equal(idHere.stdout.trim(), idThere.stdout.trim());
    assert.match(idHere.stdout, /^sha256:[0-9a-f]{64}\n$/);
  });

  test('moor save loads into dockerd with the same image id', async () => {
    const imported = await docker(moord!.host, [
      'import',
      '-c',
      'CMD ["/bin/tool"]',
      '-m',
      'from moor',
      join(dir, 'rootfs.tar'),
      'from-moor:1',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    const saved = await docker(moord!.host, [
      'save',
      '-o',
      join(dir, 'from-moor.tar'),
      'from-moor:1',
    ]);
    assert.equal(saved.code, 0, saved.stderr);
    const loaded = await docker(dockerd!.host, ['load', '-i', join(dir, 'from-moor.tar')]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, /Loaded image: from-moor:1/);
    const idHere = await docker(moord!.host, [
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      'from-moor:1',
    ]);
    const idThere = await docker(dockerd!.host, [
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      'from-moor:1',
    ]);
    assert.equal(idThere.stdout.trim(), idHere.stdout.trim());
    const history = await docker(dockerd!.host, [
      'history',
      '--format',
      '{{.Comment}}',
      'from-moor:1',
    ]);
    assert.equal(history.stdout.trim(), 'from moor');
  });
});
