import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Docker from 'dockerode';

import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { removeBridgeLeftovers } from '../helpers/network.js';

const isRoot = process.getuid?.() === 0;
const BRIDGE = 'moordo-t1';

/** dockerode (a real client library) manages networks and attaches containers to them. */
describe('dockerode against moord networks', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let docker: Docker;
  before(async () => {
    await removeBridgeLeftovers([BRIDGE]);
    daemon = await startDaemonWithBusybox('dockerode-net');
    docker = new Docker({ socketPath: daemon.socket });
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await removeBridgeLeftovers([BRIDGE]);
  });

  test('create, list, inspect, connect a running container, disconnect, remove', async () => {
    const network = await docker.createNetwork({
      Name: 'do-net',
      Driver: 'bridge',
      IPAM: { Config: [{ Subnet: '10.241.0.0/24' }] },
      Options: { 'com.docker.network.bridge.name': BRIDGE },
      Labels: { from: 'dockerode' },
    });
    const listed = await docker.listNetworks({ filters: { label: ['from=dockerode'] } });
    assert.deepEqual(
      listed.map((n) => n.Name),
      ['do-net'],
    );
    const container = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['sleep', '300'],
      HostConfig: { NetworkMode: 'bridge' },
    });
    await container.start();
    await network.connect({ Container: container.id, EndpointConfig: { Aliases: ['do-alias'] } });
    const inspected = (await network.inspect()) as {
      Containers: Record<string, { Name: string; IPv4Address: string }>;
    };
    const entry = inspected.Containers[container.id];
    assert.match(entry?.IPv4Address ?? '', /^10\.241\.0\.\d+\/24$/);
    const settings = (await container.inspect()).NetworkSettings.Networks;
    assert.deepEqual(Object.keys(settings).sort(), ['bridge', 'do-net']);
    assert.deepEqual(settings['do-net']?.Aliases, ['do-alias']);
    await network.disconnect({ Container: container.id });
    assert.deepEqual(Object.keys((await container.inspect()).NetworkSettings.Networks), ['bridge']);
    await container.remove({ force: true });
    await network.remove();
    await assert.rejects(
      network.inspect(),
      (err: { statusCode?: number }) => err.statusCode === 404,
    );
  });
});
