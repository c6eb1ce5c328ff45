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
import { removeBridgeLeftovers } from '../helpers/network.js';
import { ok, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** This test's names and ranges: no other test or engine uses them. */
const DEFAULT_BRIDGE = 'moornr-t0';
const POOL = '10.231.0.0/16';
/** A host interface routing the pool's first block, as another engine's bridge would. */
const FOREIGN = 'moornr-foreign';

/**
 * User networks as docker-compose uses them: subnets from the default pools skip what the host
 * routes elsewhere, and a container taken off its network mode's network keeps its mode and can
 * be connected again (compose creates, disconnects and reconnects each container).
 */
describe('user networks: pools and reconnects', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  const out = async (args: string[]) => ok(await docker(args)).stdout.trim();

  before(async () => {
    await removeBridgeLeftovers([DEFAULT_BRIDGE, FOREIGN]);
    config = await mkdtemp(join(tmpdir(), 'moor-netreconnect-cfg-'));
    ok(await run('ip', ['link', 'add', FOREIGN, 'type', 'bridge']));
    ok(await run('ip', ['addr', 'add', '10.231.0.1/24', 'dev', FOREIGN]));
    ok(await run('ip', ['link', 'set', FOREIGN, 'up']));
    daemon = await startDaemonWithBusybox('netreconnect', {
      args: ['--bridge', DEFAULT_BRIDGE, '--bip', '10.230.0.1/24'],
      config: { 'default-address-pools': [{ base: POOL, size: 24 }] },
    });
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await removeBridgeLeftovers([DEFAULT_BRIDGE, FOREIGN]);
    await rm(config, { recursive: true, force: true });
  });

  test('a network without a subnet skips a block the host routes to another interface', async () => {
    ok(await docker(['network', 'create', 'pooled']));
    const subnet = await out([
      'network',
      'inspect',
      '-f',
      '{{(index .IPAM.Config 0).Subnet}}',
      'pooled',
    ]);
    assert.equal(subnet, '10.231.1.0/24');
    ok(await docker(['network', 'rm', 'pooled']));
  });

  test('disconnected from its mode’s network, a container keeps its mode and joins again', async () => {
    ok(await docker(['network', 'create', 'back']));
    ok(await docker(['create', '--name', 'svc', '--network', 'back', 'busybox', 'sleep', '60']));
    const view = () =>
      out([
        'inspect',
        '-f',
        '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.Aliases}}{{end}}',
        'svc',
      ]);
    ok(await docker(['network', 'disconnect', 'back', 'svc']));
    assert.equal(await view(), 'back');
    ok(await docker(['network', 'connect', '--alias', 'web', 'back', 'svc']));
    assert.equal(await view(), 'back back=[web]');
    ok(await docker(['start', 'svc']));
    const address = await out([
      'inspect',
      '-f',
      '{{.NetworkSettings.Networks.back.IPAddress}}',
      'svc',
    ]);
    assert.match(address, /^10\.231\.1\.\d+$/);
    const resolved = await out(['run', '--rm', '--network', 'back', 'busybox', 'nslookup', 'web']);
    assert.match(resolved, new RegExp(`Address: ${address.replace(/\./g, '\\.')}`));

    // Off the network while running: a restart does not bring it back.
    ok(await docker(['network', 'disconnect', 'back', 'svc']));
    ok(await docker(['restart', '-t', '0', 'svc']));
    assert.equal(await view(), 'back');
    assert.doesNotMatch(await out(['exec', 'svc', 'ip', '-o', 'addr']), /eth0/);
    ok(await docker(['rm', '-f', 'svc']));
    ok(await docker(['network', 'rm', 'back']));
  });
});
