import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hostDevices, splitDeviceNumber } from './host-devices.js';

test('splitDeviceNumber decodes Linux dev_t (small and large numbers)', () => {
  assert.deepEqual(splitDeviceNumber((1 << 8) | 3), { major: 1, minor: 3 }); // /dev/null
  // major 259, minor 300: major bits 8-19, minor bits 0-7 and 20-31.
  const rdev = (259 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12);
  assert.deepEqual(splitDeviceNumber(rdev), { major: 259, minor: 300 });
});

test('hostDevices lists /dev/null as a character device and skips /dev/pts', async () => {
  const devices = await hostDevices();
  const nul = devices.find((d) => d.path === '/dev/null');
  assert.deepEqual(nul && { type: nul.type, major: nul.major, minor: nul.minor }, {
    type: 'c',
    major: 1,
    minor: 3,
  });
  assert.ok(!devices.some((d) => d.path.startsWith('/dev/pts/')));
  assert.ok(!devices.some((d) => d.path === '/dev/console'));
});
