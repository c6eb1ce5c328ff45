import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { type TestRegistry, startTestRegistry } from '../helpers/registry.js';
import { ok } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-push';

/**
 * `docker push` through moord to moor's registry on loopback, and the round trip back:
 * Docker's push words, layers the registry has or another repository holds, the final
 * digest line, RepoDigests, and the same image id and digest after a pull.
 */
describe('docker push to a registry', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let registry: TestRegistry | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
    registry = await startTestRegistry(NAME);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('push, push again, push to another repository, pull back the same image', async () => {
    const ctx = join(dir, 'ctx');
    await mkdir(ctx);
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo pushed > /pushed\n');
    const ref = `${registry!.address}/team/pushed:v1`;
    ok(await docker(['build', '-t', ref, ctx]));
    const id = ok(await docker(['inspect', '-f', '{{.Id}}', ref])).stdout.trim();

    const pushed = ok(await docker(['push', ref]));
    assert.match(
      pushed.stdout,
      new RegExp(`^The push refers to repository \\[${registry!.address}/team/pushed\\]$`, 'm'),
    );
    assert.equal(pushed.stdout.match(/: Pushed$/gm)?.length, 2);
    const digest = /^v1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(pushed.stdout)?.[1];
    assert.ok(digest, pushed.stdout);
    const repoDigests = ok(await docker(['inspect', '-f', '{{json .RepoDigests}}', ref])).stdout;
    assert.ok(repoDigests.includes(`${registry!.address}/team/pushed@${digest}`), repoDigests);

    const again = ok(await docker(['push', ref]));
    assert.equal(again.stdout.match(/: Layer already exists$/gm)?.length, 2);
    assert.match(again.stdout, new RegExp(`v1: digest: ${digest}`));

    const other = `${registry!.address}/team/other:v1`;
    ok(await docker(['tag', ref, other]));
    const mounted = ok(await docker(['push', other]));
    assert.equal(mounted.stdout.match(/: Mounted from team\/pushed$/gm)?.length, 2);

    ok(await docker(['rmi', ref, other]));
    const pulled = ok(await docker(['pull', ref]));
    assert.match(pulled.stdout, new RegExp(`Digest: ${digest}`));
    assert.equal(ok(await docker(['inspect', '-f', '{{.Id}}', ref])).stdout.trim(), id);
    assert.equal(ok(await docker(['run', '--rm', ref, 'cat', '/pushed'])).stdout, 'pushed\n');

    const missing = await docker(['push', `${registry!.address}/team/nosuch:v1`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /An image does not exist locally with the tag/);
  });
});
