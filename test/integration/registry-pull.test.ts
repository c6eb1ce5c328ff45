import assert from 'node:assert/strict';
import { readdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { ok } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-pull';

/**
 * `docker pull` through moord from moor's registry on loopback (an insecure registry, as
 * loopback ones are): per-layer progress and Docker's final words, the same image id and its
 * RepoDigest, pulls by digest, and a corrupt layer failing cleanly.
 */
describe('docker pull from a registry', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let registry: TestRegistry | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  let imageId = '';
  let manifestDigest = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
    registry = await startTestRegistry(NAME);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    const ctx = join(dir, 'ctx');
    await import('node:fs/promises').then((fs) => fs.mkdir(ctx));
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo pulled > /pulled\n');
    ok(await docker(['build', '-t', 'pullsrc:1', ctx]));
    imageId = ok(await docker(['inspect', '-f', '{{.Id}}', 'pullsrc:1'])).stdout.trim();
    const archive = join(dir, 'image.tar');
    ok(await docker(['save', '-o', archive, 'pullsrc:1']));
    manifestDigest = await seedRegistry(registry.address, 'team/app', 'v1', archive);
    await seedRegistry(registry.address, 'team/app', 'v2', archive);
    ok(await docker(['rmi', 'pullsrc:1']));
    ok(await docker(['rmi', '-f', 'busybox']));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('pull: layers downloaded, same id, RepoDigests; a second pull is up to date', async () => {
    const ref = `${registry!.address}/team/app:v1`;
    const pulled = ok(await docker(['pull', ref]));
    assert.match(pulled.stdout, /^v1: Pulling from team\/app$/m);
    assert.match(pulled.stdout, /: Pull complete$/m);
    assert.match(pulled.stdout, new RegExp(`^Digest: ${manifestDigest}$`, 'm'));
    assert.match(pulled.stdout, new RegExp(`^Status: Downloaded newer image for ${ref}$`, 'm'));
    const inspect = ok(await docker(['inspect', '-f', '{{.Id}} {{json .RepoDigests}}', ref]));
    assert.equal(
      inspect.stdout.trim(),
      `${imageId} ["${registry!.address}/team/app@${manifestDigest}"]`,
    );
    assert.equal(ok(await docker(['run', '--rm', ref, 'cat', '/pulled'])).stdout, 'pulled\n');
    const again = ok(await docker(['pull', ref]));
    assert.match(again.stdout, /Already exists/);
    assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${ref}`));
  });

  test('pull by digest', async () => {
    ok(await docker(['rmi', '-f', `${registry!.address}/team/app:v1`]));
    const ref = `${registry!.address}/team/app@${manifestDigest}`;
    ok(await docker(['pull', ref]));
    const id = ok(await docker(['inspect', '-f', '{{.Id}}', ref])).stdout.trim();
    assert.equal(id, imageId);
  });

  test('pull -a: every tag of the repository', async () => {
    ok(await docker(['pull', '-a', `${registry!.address}/team/app`]));
    const tags = ok(
      await docker(['images', '--format', '{{.Tag}}', `${registry!.address}/team/app`]),
    ).stdout;
    assert.deepEqual(tags.trim().split('\n').sort(), ['v1', 'v2']);
    ok(await docker(['rmi', `${registry!.address}/team/app:v2`]));
  });

  test('a missing tag and a corrupt layer fail clearly and leave no image', async () => {
    const missing = await docker(['pull', `${registry!.address}/team/app:nosuch`]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr.trim(),
      `Error response from daemon: manifest for ${registry!.address}/team/app:nosuch not found: manifest unknown: manifest unknown`,
    );
    ok(await docker(['rmi', '-f', `${registry!.address}/team/app@${manifestDigest}`]));
    await docker(['rmi', '-f', `${registry!.address}/team/app:v1`]);
    ok(await docker(['image', 'prune', '-af']));
    // Corrupt every layer blob in the registry's storage (same length, other bytes).
    const blobs = join(registry!.root, 'blobs', 'sha256');
    for (const hex of await readdir(blobs)) {
      const path = join(blobs, hex);
      const data = await import('node:fs/promises').then((fs) => fs.readFile(path));
      if (data[0] === 0x1f) await writeFile(path, Buffer.alloc(data.length, 0x1f));
    }
    const corrupt = await docker(['pull', `${registry!.address}/team/app:v1`]);
    assert.notEqual(corrupt.code, 0);
    assert.match(corrupt.stderr, /verification failed|invalid|gzip|digest/i);
    const images = ok(await docker(['images', '-aq'])).stdout.trim();
    assert.equal(images, '', 'no partial image');
  });

  test('a schema 1 manifest is refused with Docker’s deprecation notice', async () => {
    // A registry that only has an old, signed schema 1 manifest.
    const old = createServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      if (req.url !== '/v2/old/app/manifests/v1') return void res.writeHead(404).end();
      res.writeHead(200, {
        'Content-Type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      });
      res.end(
        JSON.stringify({ schemaVersion: 1, name: 'old/app', tag: 'v1', fsLayers: [], history: [] }),
      );
    });
    await new Promise<void>((ready) => old.listen(0, '127.0.0.1', ready));
    try {
      const address = `127.0.0.1:${(old.address() as AddressInfo).port}`;
      const refused = await docker(['pull', `${address}/old/app:v1`]);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /^v1: Pulling from old\/app$/m);
      assert.match(
        refused.stderr,
        new RegExp(
          `\\[DEPRECATION NOTICE\\] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default .* Suggest the author of ${address.replace(/\./g, '\\.')}/old/app:v1 to upgrade the image`,
        ),
      );
    } finally {
      old.close();
    }
  });
});
