import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRoutes } from '../sys/index.js';
import { chooseDefaultBridge } from './default-bridge.js';

const wanted = { bridgeName: 'docker0', subnet: '172.17.0.0/16', gateway: '172.17.0.1', mtu: 1500 };
const base = {
  wanted,
  given: { bridge: false, bip: false },
  current: undefined,
  docker0Exists: false,
  routes: [],
};

test('Docker’s docker0 and 172.17.0.0/16 when the host has neither', () => {
  assert.deepEqual(chooseDefaultBridge(base), wanted);
});

test('another engine’s docker0 and range: moor0 and the next free pool', () => {
  const chosen = chooseDefaultBridge({
    ...base,
    docker0Exists: true,
    routes: [{ iface: 'docker0', destination: '172.17.0.0/16' }],
  });
  assert.deepEqual(chosen, {
    bridgeName: 'moor0',
    subnet: '172.18.0.0/16',
    gateway: '172.18.0.1',
    mtu: 1500,
  });
});

test('moord’s own bridge of an earlier start, and explicit flags, are kept', () => {
  assert.equal(
    chooseDefaultBridge({
      ...base,
      current: 'docker0',
      docker0Exists: true,
      routes: [{ iface: 'docker0', destination: '172.17.0.0/16' }],
    }).subnet,
    '172.17.0.0/16',
  );
  assert.equal(
    chooseDefaultBridge({ ...base, current: 'moor0', docker0Exists: true }).bridgeName,
    'moor0',
  );
  const given = chooseDefaultBridge({
    ...base,
    given: { bridge: true, bip: true },
    docker0Exists: true,
    routes: [{ iface: 'eth1', destination: '172.16.0.0/12' }],
  });
  assert.deepEqual(given, wanted);
});

test('host routes from /proc/net/route, default routes left out', () => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  ].join('\n');
  assert.deepEqual(parseRoutes(text), [
    { iface: 'eth0', destination: '192.0.2.0/24' },
    { iface: 'docker0', destination: '172.17.0.0/16' },
  ]);
});
