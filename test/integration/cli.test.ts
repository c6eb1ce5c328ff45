import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';

import { type TestDaemon, MOOR, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

describe('moor CLI against moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  before(async () => {
    daemon = await startTestDaemon('moor-cli');
  });
  after(() => cleanupDaemon(daemon));

  const moor = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(MOOR, args, { env: { DOCKER_HOST: '', MOOR_HOST: '', ...env } });

  test('moor version prints Client and Server sections', async () => {
    const r = await moor(['-H', daemon!.host, 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Client:\n Version: +0\.1\.0\n API version: +1\.51\n/);
    assert.match(
      r.stdout,
      /\nServer: moor Engine\n Engine:\n {2}Version: +0\.1\.0\n {2}API version: +1\.51 \(minimum version 1\.24\)\n/,
    );
  });

  test('DOCKER_HOST and MOOR_HOST select the daemon, MOOR_HOST first', async () => {
    const viaDocker = await moor(['version', '--format', '{{.Server.ApiVersion}}'], {
      DOCKER_HOST: daemon!.host,
    });
    assert.equal(viaDocker.stdout, '1.51\n', viaDocker.stderr);
    const viaMoor = await moor(['version', '--format', '{{.Server.ApiVersion}}'], {
      MOOR_HOST: daemon!.host,
      DOCKER_HOST: 'unix:///nonexistent.sock',
    });
    assert.equal(viaMoor.stdout, '1.51\n', viaMoor.stderr);
  });

  test('moor info prints the server figures docker info prints', async () => {
    const r = await moor(['-H', daemon!.host, 'info']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\n CPUs: ${os.availableParallelism()}\n`));
    assert.match(r.stdout, new RegExp(`\n Docker Root Dir: ${daemon!.dataRoot}\n`));
    assert.match(r.stdout, /\n Swarm: inactive\n/);
    const json = await moor([
      '-H',
      daemon!.host,
      'info',
      '--format',
      '{{json .RegistryConfig.InsecureRegistryCIDRs}}',
    ]);
    assert.equal(json.stdout.trim(), '["127.0.0.0/8","::1/128"]');
  });

  test('a missing daemon and unknown commands fail clearly', async () => {
    const down = await moor(['-H', `unix://${daemon!.dir}/none.sock`, 'info']);
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /Cannot connect to the moor daemon at unix:\/\/.*none\.sock\. Is the moor daemon running\?/,
    );
    const unknown = await moor(['frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /'frobnicate' is not a moor command/);
    const badFlag = await moor(['version', '--bogus']);
    assert.equal(badFlag.code, 125);
    assert.match(
      badFlag.stderr,
      /^unknown flag: --bogus\n\nUsage: {2}moor version .*\n\nRun 'moor version --help' for more information\n$/,
    );
  });
});
