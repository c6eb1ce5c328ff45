import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseFlags } from '../core/index.js';
import { COMMAND_FLAGS, DAEMON_FLAGS, mergeConfig } from './config.js';

const merge = (argv: string[], file: Record<string, unknown> = {}) =>
  mergeConfig(parseFlags([...DAEMON_FLAGS, ...COMMAND_FLAGS], argv), {
    path: '/etc/moor/daemon.json',
    values: file,
  });

test('the default bridge: docker0 on 172.17.0.1/16; --bip, --fixed-cidr, --mtu', () => {
  assert.deepEqual(merge([]).defaultBridge, {
    bridgeName: 'docker0',
    subnet: '172.17.0.0/16',
    gateway: '172.17.0.1',
    mtu: 1500,
  });
  assert.deepEqual(
    merge([
      '--bridge',
      'br9',
      '--bip',
      '10.9.8.1/24',
      '--fixed-cidr',
      '10.9.8.128/25',
      '--mtu',
      '1400',
    ]).defaultBridge,
    {
      bridgeName: 'br9',
      subnet: '10.9.8.0/24',
      gateway: '10.9.8.1',
      mtu: 1400,
      ipRange: '10.9.8.128/25',
    },
  );
  assert.throws(() => merge(['--bip', '10.9.8.0']), /invalid bip/);
  assert.throws(() => merge(['--fixed-cidr', '10.1.0.0/24']), /not inside the bridge's subnet/);
});

test('default address pools from flags or daemon.json', () => {
  assert.deepEqual(merge([]).addressPools, []);
  assert.deepEqual(merge(['--default-address-pool', 'base=10.10.0.0/16,size=24']).addressPools, [
    { base: '10.10.0.0/16', size: 24 },
  ]);
  assert.deepEqual(
    merge([], { 'default-address-pools': [{ base: '10.20.0.0/16', size: 26 }] }).addressPools,
    [{ base: '10.20.0.0/16', size: 26 }],
  );
  assert.throws(() => merge(['--default-address-pool', 'base=10.10.0.0/16,size=8']), /size 8/);
  assert.throws(() => merge(['--default-address-pool', 'size=24']), /base=CIDR,size=N/);
});
