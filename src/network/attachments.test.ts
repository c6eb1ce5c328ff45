import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AttachmentRegistry, bridgeNameOf, macFor } from './attachments.js';
import type { NetworkRecord } from './network-record.js';

function network(id: string, options: Record<string, string> = {}): NetworkRecord {
  return {
    id,
    name: `net-${id.slice(0, 4)}`,
    created: '2026-01-01T00:00:00Z',
    driver: 'bridge',
    predefined: false,
    internal: false,
    attachable: false,
    ipam: {
      driver: 'default',
      options: {},
      pools: [{ subnet: '10.9.0.0/29', gateway: '10.9.0.1' }],
    },
    options,
    labels: {},
  };
}

test('Docker-style MACs and bridge names', () => {
  assert.equal(macFor('172.17.0.2'), '02:42:ac:11:00:02');
  assert.equal(bridgeNameOf(network('a'.repeat(64))), `br-${'a'.repeat(12)}`);
  assert.equal(
    bridgeNameOf(network('a'.repeat(64), { 'com.docker.network.bridge.name': 'mybr' })),
    'mybr',
  );
});

test('reservations: distinct addresses, fixed ones checked, released and restored', () => {
  const registry = new AttachmentRegistry();
  const net = network('b'.repeat(64));
  const one = registry.reserve(net, { id: 'c1', name: 'one', index: 0, gateway: true });
  const two = registry.reserve(net, { id: 'c2', name: 'two', index: 0, gateway: true });
  assert.deepEqual([one.ip, two.ip], ['10.9.0.2', '10.9.0.3']);
  assert.equal(one.interface, 'eth0');
  assert.equal(one.gateway, '10.9.0.1');
  assert.match(one.hostInterface, /^veth[0-9a-f]{7}$/);
  assert.throws(
    () => registry.reserve(net, { id: 'c3', name: 'three', index: 0, gateway: true }, '10.9.0.3'),
    /Address already in use/,
  );
  assert.throws(
    () => registry.reserve(net, { id: 'c1', name: 'one', index: 0, gateway: true }),
    /already exists in network/,
  );
  registry.release('c1');
  assert.deepEqual(
    registry.on(net.id).map((a) => a.containerName),
    ['two'],
  );
  // Not the address just freed: the next one.
  assert.equal(
    registry.reserve(net, { id: 'c4', name: 'four', index: 0, gateway: true }).ip,
    '10.9.0.4',
  );
  const fresh = new AttachmentRegistry();
  fresh.restore('c2', [two]);
  assert.equal(
    fresh.reserve(net, { id: 'c5', name: 'five', index: 0, gateway: true }).ip,
    '10.9.0.2',
  );
});
