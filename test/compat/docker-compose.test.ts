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
import { type RunResult, ok, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
/** Debian's docker-compose (1.29, on docker-py). */
const COMPOSE = '/usr/bin/docker-compose';

const PROJECT = `
version: "3.8"
services:
  web:
    image: busybox
    command: httpd -f -p 80 -h /www
    volumes: [www:/www]
    networks: [back]
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost/index.html"]
      interval: 1s
      retries: 30
  init:
    image: busybox
    command: sh -c 'echo hello-compose > /www/index.html'
    volumes: [www:/www]
  client:
    build: ./client
    depends_on:
      web: { condition: service_healthy }
      init: { condition: service_completed_successfully }
    networks: [back]
    environment:
      TARGET: http://web/index.html
volumes:
  www: {}
networks:
  back: {}
`;

/**
 * docker-compose against moord, unchanged: a project with a build, a named volume, a network,
 * a health check and start conditions; up, ps, run, logs, exec and down. Compose creates each
 * container on its network, disconnects it and connects it again with its aliases.
 */
describe('docker-compose against moord', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let compose: (args: string[]) => Promise<RunResult>;
  let docker: ReturnType<typeof dockerCli>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-compose-'));
    daemon = await startDaemonWithBusybox('compose');
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    await mkdir(join(dir, 'client'));
    await writeFile(join(dir, 'docker-compose.yml'), PROJECT);
    await writeFile(
      join(dir, 'client', 'Dockerfile'),
      'FROM busybox\nCMD ["sh", "-c", "wget -qO- $TARGET"]\n',
    );
    const env = { ...process.env, DOCKER_HOST: daemon.host };
    compose = (args) =>
      run(COMPOSE, ['-p', 'moorc', '--project-directory', dir, ...args], {
        env,
        timeoutMs: 120_000,
      });
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('up, ps, run, logs, exec and down', async () => {
    ok(await compose(['-f', join(dir, 'docker-compose.yml'), 'up', '-d', '--build']));
    const file = ['-f', join(dir, 'docker-compose.yml')];
    // The client started once web was healthy and init had completed: it fetched the page.
    assert.equal(ok(await docker(['wait', 'moorc_client_1'])).stdout.trim(), '0');
    const ps = ok(await compose([...file, 'ps'])).stdout;
    assert.match(ps, /^moorc_web_1 .* Up \(healthy\)/m);
    assert.match(ps, /^moorc_init_1 .* Exit 0/m);
    assert.match(ps, /^moorc_client_1 .* Exit 0/m);
    assert.equal(
      ok(await compose([...file, 'run', '--rm', 'client'])).stdout.trim(),
      'hello-compose',
    );
    assert.match(
      ok(await compose([...file, 'logs', '--no-color', 'client'])).stdout,
      /client_1 +\| hello-compose/,
    );
    const served = ok(await compose([...file, 'exec', '-T', 'web', 'cat', '/www/index.html']));
    assert.equal(served.stdout, 'hello-compose\n');
    const aliases = ok(
      await docker([
        'inspect',
        '-f',
        '{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks.moorc_back.Aliases}}',
        'moorc_web_1',
      ]),
    ).stdout;
    assert.match(aliases, /^moorc_back \[.*"web".*\]/);

    ok(await compose([...file, 'down', '-v']));
    assert.equal(ok(await docker(['ps', '-aq'])).stdout, '');
    const networks = ok(await docker(['network', 'ls', '--format', '{{.Name}}'])).stdout;
    assert.doesNotMatch(networks, /moorc_/);
    assert.doesNotMatch(ok(await docker(['volume', 'ls', '-q'])).stdout, /moorc_/);
  });
});
