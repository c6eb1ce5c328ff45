import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createRegistryClient } from '../../src/distribution/registry-client.js';
import { type CertSet, makeCertSet } from '../helpers/certs.js';
import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { type TestRegistry, startTestRegistry } from '../helpers/registry.js';
import { ok, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-tls';

/**
 * The registry over HTTPS (`--tls-cert/--tls-key`, and `--tls-client-ca` for mutual TLS), and
 * moord's registry TLS as Docker's: certificates checked against the usual roots plus the
 * registry's `certs.d/<host:port>/*.crt`, not checked for insecure registries, and the client
 * certificate of `certs.d/<host:port>/*.cert` + `*.key` presented.
 */
describe('registry TLS', { skip: !isRoot && 'needs root' }, () => {
  let dir = '';
  let certs: CertSet;
  let tls: TestRegistry | undefined;
  let mutual: TestRegistry | undefined;
  let daemon: TestDaemon | undefined;
  let docker: ReturnType<typeof dockerCli>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    certs = await makeCertSet(join(dir, 'certs'));
    const serving = ['--tls-cert', certs.serverCert, '--tls-key', certs.serverKey];
    tls = await startTestRegistry(`${NAME}-https`, serving);
    mutual = await startTestRegistry(`${NAME}-mtls`, [...serving, '--tls-client-ca', certs.ca]);
    daemon = await startDaemonWithBusybox(NAME);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await tls?.stop();
    await mutual?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the registry serves HTTPS with its certificate, and nothing over plain HTTP', async () => {
    const curl = ok(
      await run('curl', ['-sS', '--cacert', certs.ca, `https://${tls!.address}/v2/`]),
    );
    assert.equal(curl.stdout, '{}');
    const plain = await run('curl', ['-sS', '-o', '/dev/null', `http://${tls!.address}/v2/`]);
    assert.notEqual(plain.code, 0);
    // Mutual TLS: no client certificate, or one from another CA, gets no answer.
    const url = `https://${mutual!.address}/v2/`;
    assert.notEqual((await run('curl', ['-sS', '--cacert', certs.ca, url])).code, 0);
    const rogue = ['--cert', certs.rogueCert, '--key', certs.rogueKey];
    assert.notEqual((await run('curl', ['-sS', '--cacert', certs.ca, ...rogue, url])).code, 0);
    const client = ['--cert', certs.clientCert, '--key', certs.clientKey];
    assert.equal(ok(await run('curl', ['-sS', '--cacert', certs.ca, ...client, url])).stdout, '{}');
  });

  test('certificates are checked against certs.d CAs, except for insecure registries', async () => {
    const domain = tls!.address;
    const strict = createRegistryClient({ domain, insecure: false });
    await assert.rejects(strict.fetch('/v2/', {}, ''), {
      message: `Get "https://${domain}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    });
    const certsDir = join(dir, 'client-certs.d');
    await mkdir(join(certsDir, domain), { recursive: true });
    await copyFile(certs.ca, join(certsDir, domain, 'ca.crt'));
    const trusting = createRegistryClient({ domain, insecure: false, certsDir });
    const res = await trusting.fetch('/v2/', {}, '');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    const insecure = createRegistryClient({ domain, insecure: true });
    assert.equal((await insecure.fetch('/v2/', {}, '')).status, 200);
  });

  test('a certs.d key without its certificate is refused with Docker’s words', async () => {
    const domain = tls!.address;
    const certsDir = join(dir, 'broken-certs.d');
    await mkdir(join(certsDir, domain), { recursive: true });
    await writeFile(join(certsDir, domain, 'client.cert'), 'x');
    const client = createRegistryClient({ domain, insecure: false, certsDir });
    await assert.rejects(client.fetch('/v2/', {}, ''), {
      message:
        'missing key client.key for client certificate client.cert. CA certificates must use the extension .crt',
    });
  });

  test('docker push and pull over HTTPS through moord, with a client certificate from certs.d', async () => {
    // Loopback registries are insecure (the server certificate is not checked), but the
    // client certificate is still presented, as with Docker.
    const https = `${tls!.address}/tls/busybox:1`;
    ok(await docker(['tag', 'busybox', https]));
    ok(await docker(['push', https]));
    ok(await docker(['rmi', https]));
    assert.match(ok(await docker(['pull', https])).stdout, /^Digest: sha256:/m);

    const ref = `${mutual!.address}/mtls/busybox:1`;
    ok(await docker(['tag', 'busybox', ref]));
    const refused = await docker(['push', ref]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      new RegExp(`"https://${mutual!.address}/v2/.*": remote error: tls: certificate required`),
    );

    const hostDir = join(daemon!.dir, 'certs.d', mutual!.address);
    await mkdir(hostDir, { recursive: true });
    await copyFile(certs.ca, join(hostDir, 'ca.crt'));
    await copyFile(certs.clientCert, join(hostDir, 'client.cert'));
    await copyFile(certs.clientKey, join(hostDir, 'client.key'));
    ok(await docker(['push', ref]));
    ok(await docker(['rmi', ref]));
    ok(await docker(['pull', ref]));
    const ids = ok(await docker(['inspect', '-f', '{{.Id}}', ref, 'busybox'])).stdout.split('\n');
    assert.equal(ids[0], ids[1]);
  });
});
