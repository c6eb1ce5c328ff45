import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createClient } from '../../src/client/index.js';
import { makeCertSet, type CertSet } from '../helpers/certs.js';
import { type TestDaemon, MOOR, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';
import { freePort, run } from '../helpers/run.js';
import { swaggerErrors } from '../helpers/swagger.js';

const isRoot = process.getuid?.() === 0;

/** The real docker CLI, isolated from any user config. */
function docker(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run('docker', args, { env: { DOCKER_CONFIG: dockerConfig, DOCKER_HOST: '', ...env } });
}
let dockerConfig = '';

describe('docker CLI against moord (unix socket)', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  before(async () => {
    dockerConfig = await mkdtemp(join(tmpdir(), 'moor-docker-cli-config-'));
    daemon = await startTestDaemon('docker-cli');
  });
  after(async () => {
    await cleanupDaemon(daemon);
    await rm(dockerConfig, { recursive: true, force: true });
  });

  test('docker version reports the server and API 1.51', async () => {
    const env = { DOCKER_HOST: daemon!.host };
    const text = await docker(['version'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Server: moor Engine/);
    assert.match(text.stdout, /API version:\s+1\.51 \(minimum version 1\.24\)/);
    const api = await docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}'], env);
    assert.equal(api.stdout.trim(), '1.51 linux');
    // As dockerd, the runtime is a component, with the version runc itself reports.
    const runc = await run('runc', ['--version']);
    const runcVersion = /^runc version (\S+)/m.exec(runc.stdout)?.[1];
    assert.ok(runcVersion, runc.stdout);
    assert.match(
      text.stdout,
      new RegExp(` runc:\\n\\s+Version:\\s+${runcVersion.replace(/\W/g, '\\$&')}\\n`),
    );
  });

  test('docker info shows real host figures', async () => {
    const env = { DOCKER_HOST: daemon!.host };
    const text = await docker(['info'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Server Version: 0\.1\.0/);
    assert.match(text.stdout, new RegExp(`Docker Root Dir: ${daemon!.dataRoot}`));
    assert.match(text.stdout, /Logging Driver: json-file/);
    assert.match(text.stdout, /Swarm: inactive/);
    const fields = await docker(
      [
        'info',
        '--format',
        '{{.NCPU}} {{.MemTotal}} {{.OSType}} {{.CgroupVersion}} {{.KernelVersion}}',
      ],
      env,
    );
    const [ncpu, mem, osType, cgroup, kernel] = fields.stdout.trim().split(' ');
    assert.equal(Number(ncpu), os.availableParallelism());
    assert.equal(Number(mem), os.totalmem());
    assert.equal(osType, 'linux');
    assert.match(cgroup ?? '', /^[12]$/);
    assert.equal(kernel, os.release());
    const runc = await run('runc', ['--version']);
    const commit = /^commit: (\S+)/m.exec(runc.stdout)?.[1];
    assert.ok(commit, runc.stdout);
    assert.match(text.stdout, new RegExp(`runc version: ${commit.replace(/\W/g, '\\$&')}\\n`));
    // --init runs tini (CI installs it): its name here, its version in `docker version`.
    const init = /Init Binary: (tini-static|docker-init)\n/.exec(text.stdout)?.[1];
    assert.ok(init, text.stdout);
    const tini = await run(`/usr/bin/${init}`, ['--version']);
    const tiniVersion = /^tini version (\S+)/m.exec(tini.stdout)?.[1];
    assert.ok(tiniVersion, tini.stdout);
    const components = await docker(
      ['version', '--format', '{{range .Server.Components}}{{.Name}}={{.Version}} {{end}}'],
      env,
    );
    assert.match(
      components.stdout,
      new RegExp(` docker-init=${tiniVersion.replace(/\W/g, '\\$&')} `),
    );
  });

  test('/version and /info validate against the Engine API swagger', async () => {
    const client = createClient({ host: daemon!.host });
    try {
      assert.deepEqual(swaggerErrors('SystemVersion', await client.json('GET', '/version')), []);
      assert.deepEqual(swaggerErrors('SystemInfo', await client.json('GET', '/info')), []);
    } finally {
      client.close();
    }
  });

  test('docker reports a missing daemon clearly', async () => {
    const r = await docker(['version'], { DOCKER_HOST: `unix://${daemon!.dir}/nothing.sock` });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Cannot connect to the Docker daemon/);
  });
});

describe(
  'docker CLI against moord over TCP with mutual TLS',
  { skip: !isRoot && 'needs root' },
  () => {
    let daemon: TestDaemon | undefined;
    let certs: CertSet;
    let port = 0;
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'moor-tls-'));
      dockerConfig ||= dir;
      certs = await makeCertSet(join(dir, 'certs'));
      port = await freePort();
      daemon = await startTestDaemon('tls', {
        hosts: [`tcp://127.0.0.1:${port}`],
        args: [
          '--tlsverify',
          '--tlscacert',
          certs.ca,
          '--tlscert',
          certs.serverCert,
          '--tlskey',
          certs.serverKey,
        ],
      });
    });
    after(async () => {
      await cleanupDaemon(daemon);
      await rm(dir, { recursive: true, force: true });
    });

    const tlsArgs = (cert: string, key: string) => [
      '-H',
      `tcp://127.0.0.1:${port}`,
      '--tlsverify',
      '--tlscacert',
      certs.ca,
      '--tlscert',
      cert,
      '--tlskey',
      key,
    ];

    test('docker --tlsverify with a client cert signed by the CA works', async () => {
      const r = await docker([
        ...tlsArgs(certs.clientCert, certs.clientKey),
        'version',
        '--format',
        '{{.Server.APIVersion}}',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), '1.51');
    });

    test('without a client certificate the daemon refuses the connection', async () => {
      const r = await docker([
        '-H',
        `tcp://127.0.0.1:${port}`,
        '--tlsverify',
        '--tlscacert',
        certs.ca,
        'version',
        '--format',
        '{{.Server.APIVersion}}',
      ]);
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stdout, /1\.51/);
    });

    test('a client cert from another CA is refused', async () => {
      const r = await docker([
        ...tlsArgs(certs.rogueCert, certs.rogueKey),
        'version',
        '--format',
        '{{.Server.APIVersion}}',
      ]);
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stdout, /1\.51/);
    });

    test('moor --tlsverify with DOCKER_CERT_PATH works, and fails without client certs', async () => {
      const certPath = join(dir, 'cert-path');
      await mkdir(certPath, { recursive: true });
      await copyFile(certs.ca, join(certPath, 'ca.pem'));
      await copyFile(certs.clientCert, join(certPath, 'cert.pem'));
      await copyFile(certs.clientKey, join(certPath, 'key.pem'));
      const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', MOOR_HOST: '' };
      const ok = await run(MOOR, ['version', '--format', '{{.Server.ApiVersion}}'], {
        env: { ...env, DOCKER_CERT_PATH: certPath },
      });
      assert.equal(ok.stdout.trim(), '1.51', ok.stderr);
      const noCerts = await run(
        MOOR,
        ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', certs.ca, 'info'],
        {
          env: { DOCKER_HOST: '', MOOR_HOST: '', DOCKER_CERT_PATH: join(dir, 'empty') },
        },
      );
      assert.equal(noCerts.code, 1);
      assert.doesNotMatch(noCerts.stdout, /Server Version/);
    });

    test('plain HTTP to the TLS port gets no API answer', async () => {
      const r = await docker([
        '-H',
        `tcp://127.0.0.1:${port}`,
        'version',
        '--format',
        '{{.Server.APIVersion}}',
      ]);
      assert.notEqual(r.code, 0);
    });
  },
);
