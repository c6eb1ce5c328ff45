import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
  until,
} from '../helpers/containers.js';
import { type TestDaemon, MOOR, relaunch } from '../helpers/moord.js';
import { httpGet } from '../helpers/network.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** A host port for this test run, away from the ephemeral range. */
const HOST_PORT = 20000 + (process.pid % 20000);

/** The reply to one datagram sent to 127.0.0.1:`port`, or undefined after a second. */
function udpAsk(port: number, message: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, 1000);
    socket.on('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply.toString());
    });
    socket.send(message, port, '127.0.0.1');
  });
}

/**
 * Port publishing on the default bridge (the test daemon's own bridge and range): TCP and UDP
 * through kernel NAT on the host's loopback, random ports, `-P` with the image's EXPOSE,
 * hairpin from another container, release on stop, and bindings that survive a restart.
 */
describe('published ports', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-netports-cfg-'));
    daemon = await startDaemonWithBusybox('netports');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  const web = (name: string, args: string[], image = 'busybox') =>
    docker([
      ...['run', '-d', '--name', name, ...args, image],
      ...['sh', '-c', `echo ${name} > /tmp/index.html; httpd -f -p 8080 -h /tmp`],
    ]);

  test('TCP on loopback, a random port, docker port, Docker’s conflict', async () => {
    const started = await web('np-pub', [
      ...['-p', `127.0.0.1:${HOST_PORT}:8080`, '-p', '8080', '--expose', '9000'],
    ]);
    assert.equal(started.code, 0, started.stderr);
    await until(
      async () => (await httpGet(`http://127.0.0.1:${HOST_PORT}/index.html`)) === 'np-pub\n',
    );
    const port = await docker(['port', 'np-pub']);
    const random = /^8080\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(port.stdout)?.[1];
    assert.match(port.stdout, new RegExp(`^8080/tcp -> 127\\.0\\.0\\.1:${HOST_PORT}$`, 'm'));
    assert.ok(random !== undefined && Number(random) > 0, port.stdout);
    assert.equal(await httpGet(`http://127.0.0.1:${random}/index.html`), 'np-pub\n');
    for (const args of [
      ['port', 'np-pub'],
      ['port', 'np-pub', '8080/tcp'],
      ['port', 'np-pub', '81'],
    ]) {
      const viaMoor = await run(MOOR, ['-H', (daemon as TestDaemon).host, ...args]);
      const viaDocker = await docker(args);
      assert.deepEqual(
        { code: viaMoor.code, stdout: viaMoor.stdout, stderr: viaMoor.stderr },
        { code: viaDocker.code, stdout: viaDocker.stdout, stderr: viaDocker.stderr },
        args.join(' '),
      );
    }
    const ps = await docker(['ps', '-f', 'name=np-pub', '--format', '{{.Ports}}']);
    assert.match(ps.stdout, /9000\/tcp/);
    assert.match(ps.stdout, new RegExp(`127\\.0\\.0\\.1:${HOST_PORT}->8080/tcp`));
    const taken = await docker(['run', '--rm', '-p', `${HOST_PORT}:80`, 'busybox', 'true']);
    assert.equal(taken.code, 125);
    assert.match(
      taken.stderr,
      new RegExp(`Bind for 0\\.0\\.0\\.0:${HOST_PORT} failed: port is already allocated`),
    );
    await docker(['rm', '-f', 'np-pub']);
    assert.equal(await httpGet(`http://127.0.0.1:${HOST_PORT}/index.html`), undefined, 'withdrawn');
  });

  test('UDP: a datagram to the host port reaches the container’s listener and back', async () => {
    const started = await docker([
      ...['run', '-d', '--name', 'np-udp', '-p', `127.0.0.1:${HOST_PORT}:5300/udp`],
      ...['busybox', 'sleep', '300'],
    ]);
    assert.equal(started.code, 0, started.stderr);
    const port = await docker(['port', 'np-udp', '5300/udp']);
    assert.equal(port.stdout, `127.0.0.1:${HOST_PORT}\n`);
    // busybox has no UDP server: an echo server runs in the container's network namespace.
    const pid = (await docker(['inspect', '-f', '{{.State.Pid}}', 'np-udp'])).stdout.trim();
    const echo = spawn('nsenter', [
      `--net=/proc/${pid}/ns/net`,
      process.execPath,
      '-e',
      `const s = require('node:dgram').createSocket('udp4');
       s.on('message', (m, r) => s.send('echo:' + m, r.port, r.address));
       s.bind(5300, () => console.log('ready'));`,
    ]);
    try {
      await new Promise((resolve) => echo.stdout.once('data', resolve));
      assert.equal(await udpAsk(HOST_PORT, 'ping'), 'echo:ping');
      assert.equal(await httpGet(`http://127.0.0.1:${HOST_PORT}/`), undefined, 'UDP only');
    } finally {
      echo.kill();
    }
    await docker(['rm', '-f', 'np-udp']);
  });

  test('-P publishes the image’s EXPOSE; hairpin via the gateway; released on stop', async () => {
    const exported = await run(
      'sh',
      [
        '-c',
        `docker create --name np-src busybox true >/dev/null && docker export np-src | docker import -c 'EXPOSE 8080/tcp' - np-exposed:1`,
      ],
      { env: { DOCKER_HOST: (daemon as TestDaemon).host, DOCKER_CONFIG: config } },
    );
    assert.equal(exported.code, 0, exported.stderr);
    const started = await web('np-all', ['-P'], 'np-exposed:1');
    assert.equal(started.code, 0, started.stderr);
    const hostPort = /:(\d+)$/.exec((await docker(['port', 'np-all', '8080'])).stdout.trim())?.[1];
    assert.ok(hostPort, 'a random port for the EXPOSEd 8080');
    await until(
      async () => (await httpGet(`http://127.0.0.1:${hostPort}/index.html`)) === 'np-all\n',
    );
    const gateway = (
      await docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])
    ).stdout.trim();
    const hairpin = await docker([
      ...['run', '--rm', 'busybox', 'sh', '-c'],
      `timeout 3 wget -qO- http://${gateway}:${hostPort}/index.html`,
    ]);
    assert.equal(hairpin.stdout, 'np-all\n', hairpin.stderr);
    await docker(['stop', '-t', '0', 'np-all']);
    assert.equal(await httpGet(`http://127.0.0.1:${hostPort}/index.html`), undefined, 'released');
    assert.equal((await docker(['port', 'np-all'])).stdout, '');
    await docker(['rm', '-f', 'np-all', 'np-src']);
  });

  test('after a daemon restart a running container’s ports still answer and stay taken', async () => {
    const started = await web('np-kept', ['-p', `${HOST_PORT}:8080`]);
    assert.equal(started.code, 0, started.stderr);
    await until(
      async () => (await httpGet(`http://127.0.0.1:${HOST_PORT}/index.html`)) === 'np-kept\n',
    );
    const old = daemon as TestDaemon;
    await old.stop();
    daemon = await relaunch(old);
    docker = dockerCli(daemon, config);
    assert.equal(await httpGet(`http://127.0.0.1:${HOST_PORT}/index.html`), 'np-kept\n');
    const taken = await docker(['run', '--rm', '-p', `${HOST_PORT}:80`, 'busybox', 'true']);
    assert.match(taken.stderr, /port is already allocated/);
    assert.match((await docker(['port', 'np-kept'])).stdout, new RegExp(`:${HOST_PORT}$`, 'm'));
    await docker(['rm', '-f', 'np-kept']);
    assert.equal(await httpGet(`http://127.0.0.1:${HOST_PORT}/index.html`), undefined);
  });
});
