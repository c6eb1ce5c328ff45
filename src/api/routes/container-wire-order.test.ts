import assert from 'node:assert/strict';
import { test } from 'node:test';

import { configInGoOrder, hostConfigInGoOrder } from './container-wire-order.js';

test("Config comes out in dockerd's field order, empty omitempty fields dropped", () => {
  const stored = {
    Image: 'busybox',
    Labels: {},
    Hostname: 'h',
    ExposedPorts: null,
    Healthcheck: undefined,
    StopSignal: '',
    Volumes: null,
    Cmd: ['sh'],
    Future: 1,
  };
  assert.deepEqual(Object.entries(configInGoOrder(stored)), [
    ['Hostname', 'h'],
    ['Cmd', ['sh']],
    ['Image', 'busybox'],
    ['Volumes', null],
    ['Labels', {}],
    ['Future', 1],
  ]);
  const ports = configInGoOrder({ Tty: true, ExposedPorts: { '80/tcp': {} }, User: 'u' });
  assert.deepEqual(Object.keys(ports), ['User', 'ExposedPorts', 'Tty']);
});

test('HostConfig keeps Resources where Go embeds them and drops an empty Runtime or Init', () => {
  const stored = {
    Init: null,
    Memory: 0,
    Runtime: 'runc',
    Binds: null,
    ShmSize: 64,
    Isolation: '',
  };
  assert.deepEqual(Object.keys(hostConfigInGoOrder(stored)), [
    'Binds',
    'ShmSize',
    'Runtime',
    'Isolation',
    'Memory',
  ]);
  assert.equal('Runtime' in hostConfigInGoOrder({ Runtime: '' }), false);
});
