import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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
