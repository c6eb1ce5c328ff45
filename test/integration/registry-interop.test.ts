import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
import { freePort, ok, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-interop';
const DISTRIBUTION = '/usr/bin/docker-registry';
const SKOPEO = '/usr/bin/skopeo';
const missing = [DISTRIBUTION, SKOPEO].filter((p) => !existsSync(p));

/**
 * Other implementations of the distribution API, on loopback: moord pushes to and pulls from
 * Debian's docker-registry (distribution 2.8) with the same image id and digest coming back;
 * skopeo copies out of and into moor's registry, and moord pulls what skopeo pushed.
 */
describe(
  'registry interoperability: distribution and skopeo',
  {
    skip:
      (!isRoot && 'needs root') ||
      (missing.length > 0 && `needs ${missing.join(', ')} (Debian: docker-registry, skopeo)`),
  },
  () => {
    let daemon: TestDaemon | undefined;
    let ours: TestRegistry | undefined;
    let distribution: ChildProcess | undefined;
    let distributionAddress = '';
    let dir = '';
    let docker: ReturnType<typeof dockerCli>;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
      daemon = await startDaemonWithBusybox(NAME);
      docker = dockerCli(daemon, join(dir, 'docker-config'));
      ours = await startTestRegistry(NAME);
      distributionAddress = `127.0.0.1:${await freePort()}`;
      const config = join(dir, 'distribution.yml');
      await writeFile(
        config,
        [
          'version: 0.1',
          'log: { level: error }',
          'storage:',
          `  filesystem: { rootdirectory: ${join(dir, 'distribution-root')} }`,
          '  delete: { enabled: true }',
          'http:',
          `  addr: ${distributionAddress}`,
          '',
        ].join('\n'),
      );
      distribution = spawn(DISTRIBUTION, ['serve', config], { stdio: 'ignore' });
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`http://${distributionAddress}/v2/`)).ok) break;
        } catch (err) {
          if (i > 100) throw new Error('docker-registry did not start', { cause: err });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const ctx = join(dir, 'ctx');
      await mkdir(ctx);
      await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo interop > /interop\n');
      ok(await docker(['build', '-t', 'interop:1', ctx]));
    });
    after(async () => {
      distribution?.kill('SIGTERM');
      await cleanupContainerDaemon(daemon);
      await ours?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('moord pushes to and pulls from distribution: same id and digest back', async () => {
      const ref = `${distributionAddress}/team/interop:v1`;
      const id = ok(await docker(['inspect', '-f', '{{.Id}}', 'interop:1'])).stdout.trim();
      ok(await docker(['tag', 'interop:1', ref]));
      const pushed = ok(await docker(['push', ref]));
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
      assert.ok(digest);
      ok(await docker(['rmi', ref, 'interop:1']));
      const pulled = ok(await docker(['pull', ref]));
      assert.match(pulled.stdout, new RegExp(`Digest: ${digest}`));
      assert.equal(ok(await docker(['inspect', '-f', '{{.Id}}', ref])).stdout.trim(), id);
      assert.equal(ok(await docker(['run', '--rm', ref, 'cat', '/interop'])).stdout, 'interop\n');
      ok(await docker(['tag', ref, 'interop:1']));
    });

    test('skopeo copies out of and into moor’s registry; moord pulls what skopeo pushed', async () => {
      const ref = `${ours!.address}/team/interop:v1`;
      ok(await docker(['tag', 'interop:1', ref]));
      ok(await docker(['push', ref]));
      const copy = join(dir, 'skopeo-copy');
      ok(await run(SKOPEO, ['copy', '--src-tls-verify=false', `docker://${ref}`, `dir:${copy}`]));
      const inspect = JSON.parse(
        ok(await run(SKOPEO, ['inspect', '--tls-verify=false', `docker://${ref}`])).stdout,
      ) as { Layers: string[] };
      assert.ok(inspect.Layers.length >= 2);
      const back = `${ours!.address}/skopeo/interop:v2`;
      ok(await run(SKOPEO, ['copy', '--dest-tls-verify=false', `dir:${copy}`, `docker://${back}`]));
      ok(await docker(['pull', back]));
      assert.equal(ok(await docker(['run', '--rm', back, 'cat', '/interop'])).stdout, 'interop\n');
    });
  },
);
