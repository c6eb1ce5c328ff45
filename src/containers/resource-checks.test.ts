import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Resources } from '../api-types/index.js';
import { checkResources, parseCpuList } from './resource-checks.js';

const HOST = { cpus: '0-1', mems: '0', swapLimit: true };
const MB = 1024 * 1024;

test('cpu lists as the kernel writes them', () => {
  assert.deepEqual([...(parseCpuList('0-2,5') ?? [])], [0, 1, 2, 5]);
  assert.equal(parseCpuList('2-1'), undefined);
  assert.equal(parseCpuList('a'), undefined);
  assert.equal(parseCpuList('')?.size, 0);
});

test('limits within dockerd’s rules pass', () => {
  checkResources({}, HOST);
  checkResources(
    {
      Memory: 32 * MB,
      MemorySwap: -1,
      MemoryReservation: 16 * MB,
      NanoCpus: 1.5e9,
      CpusetCpus: '0,1',
      CpusetMems: '0',
      BlkioWeight: 300,
      MemorySwappiness: -1,
    },
    HOST,
  );
  checkResources({ CpuPeriod: 100_000, CpuQuota: 50_000 }, HOST);
});

test('limits dockerd refuses, with its messages', () => {
  const refused: Array<[Resources, string]> = [
    [{ Memory: 4 * MB }, 'Minimum memory limit allowed is 6MB'],
    [
      { Memory: 10 * MB, MemorySwap: 5 * MB },
      'Minimum memoryswap limit should be larger than memory limit, see usage',
    ],
    [
      { MemorySwap: 50 * MB },
      'You should always set the Memory limit when using Memoryswap limit, see usage',
    ],
    [{ MemoryReservation: MB }, 'Minimum memory reservation allowed is 6MB'],
    [
      { Memory: 8 * MB, MemoryReservation: 16 * MB },
      'Minimum memory limit can not be less than memory reservation limit, see usage',
    ],
    [{ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100'],
    [{ NanoCpus: 3e9 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'],
    [
      { NanoCpus: 1e9, CpuQuota: 50_000 },
      'Conflicting options: Nano CPUs and CPU Quota cannot both be set',
    ],
    [
      { CpuPeriod: 500 },
      'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)',
    ],
    [{ CpuQuota: 999 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
    [{ CpusetCpus: '1-3' }, 'Requested CPUs are not available - requested 1-3, available: 0-1'],
    [{ CpusetCpus: 'x' }, 'Invalid value x for cpuset cpus'],
    [{ CpusetMems: '1' }, 'Requested memory nodes are not available - requested 1, available: 0'],
    [{ BlkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000'],
  ];
  for (const [resources, message] of refused) {
    assert.throws(() => checkResources(resources, HOST), { message, kind: 'InvalidArgument' });
  }
});
