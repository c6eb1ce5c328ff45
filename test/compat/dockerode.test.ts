import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Docker from 'dockerode';

import { type TestDaemon, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

describe('dockerode against moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let docker: Docker;
  before(async () => {
    daemon = await startTestDaemon('dockerode');
    docker = new Docker({ socketPath: daemon.socket });
  });
  after(() => cleanupDaemon(daemon));

  test('ping', async () => {
    const answer: unknown = await docker.ping();
    assert.equal(String(answer), 'OK');
  });

  test('version', async () => {
    const v = await docker.version();
    assert.equal(v.ApiVersion, '1.51');
    assert.equal(v.MinAPIVersion, '1.24');
    assert.equal(v.Os, 'linux');
  });

  test('info', async () => {
    const info = (await docker.info()) as {
      DockerRootDir: string;
      NCPU: number;
      Swarm: { LocalNodeState: string };
    };
    assert.equal(info.DockerRootDir, daemon!.dataRoot);
    assert.ok(info.NCPU >= 1);
    assert.equal(info.Swarm.LocalNodeState, 'inactive');
  });
});
