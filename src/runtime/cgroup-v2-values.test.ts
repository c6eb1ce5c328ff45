import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cgroupV2Values } from './cgroup-v2-values.js';
import { buildResources } from './spec-resources.js';

const MB = 1024 * 1024;

test('docker’s limits as cgroup v2 files', () => {
  const resources = buildResources({
    Memory: 32 * MB,
    MemorySwap: 64 * MB,
    MemoryReservation: 16 * MB,
    NanoCpus: 5e8,
    CpuShares: 512,
    CpusetCpus: '0',
    PidsLimit: 20,
    BlkioWeight: 300,
  });
  assert.deepEqual(cgroupV2Values(resources), {
    'memory.max': String(32 * MB),
    'memory.swap.max': String(32 * MB),
    'memory.low': String(16 * MB),
    'cpu.max': '50000 100000',
    'cpu.weight': '20',
    'cpuset.cpus': '0',
    'pids.max': '20',
    'io.weight': 'default 2930',
  });
  assert.deepEqual(cgroupV2Values(buildResources({ Memory: 32 * MB, MemorySwap: -1 })), {
    'memory.max': String(32 * MB),
    'memory.swap.max': 'max',
  });
  assert.deepEqual(cgroupV2Values(buildResources({})), {});
});
