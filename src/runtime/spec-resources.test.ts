import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dockerDeviceRules, runtimeDeviceRules } from './spec-defaults.js';
import {
  type DeviceSpec,
  buildResources,
  deviceAccess,
  parseDeviceCgroupRules,
} from './spec-resources.js';

test('no limits → no resource sections', () => {
  assert.deepEqual(buildResources({}), {});
  assert.deepEqual(buildResources({ Memory: 0, CpuShares: 0, MemorySwap: -1 }), {});
});

test('memory maps as dockerd maps it', () => {
  const r = buildResources({
    Memory: 64 << 20,
    MemoryReservation: 32 << 20,
    MemorySwap: 128 << 20,
    MemorySwappiness: 10,
    OomKillDisable: true,
  });
  assert.deepEqual(r.memory, {
    limit: 64 << 20,
    reservation: 32 << 20,
    swap: 128 << 20,
    swappiness: 10,
    disableOOMKiller: true,
  });
  assert.equal(buildResources({ MemorySwappiness: -1 }).memory, undefined);
});

test('NanoCpus becomes a quota over a 100 ms period; CpuPeriod/CpuQuota override', () => {
  assert.deepEqual(buildResources({ NanoCpus: 1.5e9 }).cpu, { period: 100000, quota: 150000 });
  assert.deepEqual(
    buildResources({
      CpuShares: 512,
      CpuPeriod: 50000,
      CpuQuota: 25000,
      CpusetCpus: '0-1',
      CpusetMems: '0',
    }).cpu,
    { shares: 512, cpus: '0-1', mems: '0', period: 50000, quota: 25000 },
  );
  assert.throws(() => buildResources({ CpuShares: -2 }), {
    message: 'invalid CPU shares (-2): value must be a positive integer',
  });
});

test('PidsLimit: positive kept, 0 or negative → -1 (unlimited), null → none', () => {
  assert.deepEqual(buildResources({ PidsLimit: 100 }).pids, { limit: 100 });
  assert.deepEqual(buildResources({ PidsLimit: 0 }).pids, { limit: -1 });
  assert.equal(buildResources({ PidsLimit: null }).pids, undefined);
});

test('blkio weight and throttles use the device numbers given for host paths', () => {
  const devices = { '/dev/sda': { major: 8, minor: 0 } };
  const r = buildResources(
    {
      BlkioWeight: 300,
      BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 200 }],
      BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 1048576 }],
      BlkioDeviceWriteIOps: [{ Path: '/dev/sda', Rate: 100 }],
    },
    devices,
  );
  assert.deepEqual(r.blockIO, {
    weight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 200 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
  });
  assert.throws(() => buildResources({ BlkioDeviceReadBps: [{ Path: '/dev/sdz', Rate: 1 }] }), {
    message: 'stat /dev/sdz: no such file or directory',
  });
});

test('device requests (--gpus) are refused as not implemented', () => {
  assert.throws(() => buildResources({ DeviceRequests: [{ Driver: 'nvidia' }] }), {
    kind: 'NotImplemented',
  });
});

test('device cgroup rules parse as Docker parses them', () => {
  assert.deepEqual(parseDeviceCgroupRules(['c 1:3 mr', 'a *:* rwm', 'b 8:* w']), [
    { allow: true, type: 'c', major: 1, minor: 3, access: 'mr' },
    { allow: true, type: 'a', major: -1, minor: -1, access: 'rwm' },
    { allow: true, type: 'b', major: 8, minor: -1, access: 'w' },
  ]);
  assert.throws(() => parseDeviceCgroupRules(['c 1:3']), {
    kind: 'InvalidArgument',
    message: "invalid device cgroup rule format: 'c 1:3'",
  });
});

const fuse: DeviceSpec = {
  type: 'c',
  path: '/dev/fuse',
  major: 10,
  minor: 229,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
  permissions: 'rw',
};

test('unprivileged: Docker rules, mapped devices, cgroup rules, then the runtime defaults', () => {
  const access = deviceAccess({
    privileged: false,
    mapped: [fuse],
    cgroupRules: ['c 42:* rmw'],
    hostDevices: [],
  });
  assert.deepEqual(access.devices, [
    { type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
  ]);
  assert.deepEqual(access.rules, [
    ...dockerDeviceRules(),
    { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
    { allow: true, type: 'c', major: 42, minor: -1, access: 'rmw' },
    ...runtimeDeviceRules(),
  ]);
  assert.deepEqual(access.rules[0], { allow: false, access: 'rwm' });
});

test('privileged: all host devices, mapped ones at new paths, one allow-all rule', () => {
  const hostFuse = { ...fuse, permissions: undefined };
  const access = deviceAccess({
    privileged: true,
    mapped: [fuse, { ...fuse, path: '/dev/myfuse' }],
    cgroupRules: ['c 1:3 r'],
    hostDevices: [hostFuse],
  });
  assert.deepEqual(
    access.devices.map((d) => d.path),
    ['/dev/fuse', '/dev/myfuse'],
  );
  assert.deepEqual(access.rules, [{ allow: true, access: 'rwm' }]);
});
