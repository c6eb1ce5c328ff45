import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  capabilitiesFromMask,
  containerCapabilities,
  normalizeCapabilities,
} from './capabilities.js';

test('ALL_CAPABILITIES lists the 41 capabilities in kernel order', () => {
  assert.equal(ALL_CAPABILITIES.length, 41);
  assert.equal(ALL_CAPABILITIES[0], 'CAP_CHOWN');
  assert.equal(ALL_CAPABILITIES[21], 'CAP_SYS_ADMIN');
  assert.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
});

test('the default set is Docker 20.10+ default set, in its order', () => {
  assert.deepEqual(containerCapabilities({}), [...DEFAULT_CAPABILITIES]);
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.ok(!DEFAULT_CAPABILITIES.includes('CAP_SYS_ADMIN'));
});

test('names are accepted with or without CAP_, in any case', () => {
  assert.deepEqual(normalizeCapabilities(['net_admin', 'CAP_sys_time', 'all']), [
    'CAP_NET_ADMIN',
    'CAP_SYS_TIME',
    'ALL',
  ]);
});

test('an unknown capability is refused with Docker message', () => {
  assert.throws(() => containerCapabilities({ capAdd: ['foo'] }), {
    name: 'MoorError',
    kind: 'InvalidArgument',
    message: 'unknown capability: "CAP_FOO"',
  });
  assert.throws(() => containerCapabilities({ capDrop: ['cap_bar'] }), {
    message: 'unknown capability: "CAP_BAR"',
  });
});

test('drop then add: dropped ones go, added ones are appended once', () => {
  const caps = containerCapabilities({
    capAdd: ['NET_ADMIN', 'chown'],
    capDrop: ['CHOWN', 'mknod'],
  });
  assert.ok(!caps.includes('CAP_MKNOD'));
  assert.deepEqual(caps.slice(-2), ['CAP_NET_ADMIN', 'CAP_CHOWN']);
  assert.equal(new Set(caps).size, caps.length);
  const dup = containerCapabilities({ capAdd: ['KILL'] });
  assert.deepEqual(dup, [...DEFAULT_CAPABILITIES]);
});

test('ALL: cap-add ALL keeps all but the dropped, cap-drop ALL keeps only the added', () => {
  const all = containerCapabilities({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] });
  assert.equal(all.length, 40);
  assert.ok(!all.includes('CAP_SYS_ADMIN'));
  assert.deepEqual(containerCapabilities({ capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] }), [
    'CAP_NET_BIND_SERVICE',
  ]);
  assert.deepEqual(containerCapabilities({ capDrop: ['all'] }), []);
});

test('privileged gets every capability, ignoring add/drop', () => {
  assert.deepEqual(containerCapabilities({ privileged: true, capDrop: ['ALL'] }), [
    ...ALL_CAPABILITIES,
  ]);
  assert.deepEqual(containerCapabilities({ privileged: true, available: ['CAP_KILL'] }), [
    'CAP_KILL',
  ]);
});

test('capabilitiesFromMask decodes a CapBnd mask', () => {
  assert.deepEqual(capabilitiesFromMask('00000000a80425fb'), [...DEFAULT_CAPABILITIES].sort(byBit));
  assert.equal(capabilitiesFromMask('000001ffffffffff').length, 41);
  assert.ok(!capabilitiesFromMask(0x1fffeffffffn).includes('CAP_SYS_RESOURCE'));
});

test('the available set limits privileged, ALL and explicit adds (Docker words)', () => {
  const available = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
  assert.equal(containerCapabilities({ privileged: true, available }).length, 40);
  assert.equal(containerCapabilities({ capAdd: ['ALL'], available }).length, 40);
  assert.throws(() => containerCapabilities({ capAdd: ['sys_resource'], available }), {
    kind: 'InvalidArgument',
    message:
      'capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"',
  });
});

function byBit(a: string, b: string): number {
  return ALL_CAPABILITIES.indexOf(a) - ALL_CAPABILITIES.indexOf(b);
}
