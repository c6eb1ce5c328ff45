import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { type TestRegistry, seedRegistry, startTestRegistry } from '../helpers/registry.js';
import { freePort } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-mirror';

/** `--registry-mirror`: Docker Hub names are pulled from the mirror (moor's registry, loopback). */
describe('registry mirrors', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let mirror: TestRegistry | undefined;
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    mirror = await startTestRegistry(NAME);
    daemon = await startDaemonWithBusybox(NAME, {
      args: ['--registry-mirror', `http://${mirror.address}`],
    });
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await mirror?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('docker pull of a Docker Hub name comes from the mirror', async () => {
    const docker = dockerCli(daemon!, join(dir, 'docker-config'));
    const archive = join(dir, 'busybox.tar');
    assert.equal((await docker(['save', '-o', archive, 'busybox'])).code, 0);
    const digest = await seedRegistry(mirror!.address, 'library/mirrored', 'v1', archive);
    const pulled = await docker(['pull', 'mirrored:v1']);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(
      pulled.stdout,
      /Status: (Downloaded newer image|Image is up to date) for mirrored:v1/,
    );
    const repoDigests = await docker(['inspect', '-f', '{{json .RepoDigests}}', 'mirrored:v1']);
    assert.equal(repoDigests.stdout.trim(), `["mirrored@${digest}"]`);
  });
});

/** `--registry-addr`: moord serves moor's registry itself, beside the API. */
describe('a registry served by moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let address = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-served-`));
    address = `127.0.0.1:${await freePort()}`;
    daemon = await startDaemonWithBusybox(`${NAME}-served`, { args: ['--registry-addr', address] });
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('push to it and pull back; its blobs are under the data root', async () => {
    const docker = dockerCli(daemon!, join(dir, 'docker-config'));
    const ref = `${address}/served/busybox:v1`;
    assert.equal((await docker(['tag', 'busybox', ref])).code, 0);
    const pushed = await docker(['push', ref]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal((await docker(['rmi', ref])).code, 0);
    const pulled = await docker(['pull', ref]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const blobs = await readdir(join(daemon!.dataRoot, 'registry', 'blobs', 'sha256'));
    assert.ok(blobs.length >= 3);
  });
});
