import assert from 'node:assert/strict';
import { test } from 'node:test';

import { updatedHostConfig } from './container-update.js';

const MB = 1024 * 1024;

test('update: given fields replace, zero ones stay; pids -1 is unlimited', () => {
  const current = { Memory: 32 * MB, MemorySwap: 64 * MB, CpuShares: 512, PidsLimit: 10 };
  assert.deepEqual(
    updatedHostConfig(current, { Memory: 48 * MB, CpuShares: 0, PidsLimit: -1, CpusetCpus: '' }),
    { Memory: 48 * MB, MemorySwap: 64 * MB, CpuShares: 512, PidsLimit: 0 },
  );
  assert.deepEqual(
    updatedHostConfig(
      { RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } },
      {
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      },
    ).RestartPolicy,
    { Name: 'on-failure', MaximumRetryCount: 3 },
  );
});

test('update: dockerd’s conflicts', () => {
  const refused: Array<[Parameters<typeof updatedHostConfig>, string]> = [
    [
      [{ NanoCpus: 1e9 }, { CpuQuota: 50_000 }],
      'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set',
    ],
    [
      [{ CpuPeriod: 100_000 }, { NanoCpus: 1e9 }],
      'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set',
    ],
    [
      [{ Memory: 32 * MB, MemorySwap: 64 * MB }, { Memory: 128 * MB }],
      'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    ],
    [
      [{ AutoRemove: true }, { RestartPolicy: { Name: 'always' } }],
      'Restart policy cannot be updated because AutoRemove is enabled for the container',
    ],
  ];
  for (const [args, message] of refused) {
    assert.throws(() => updatedHostConfig(...args), { message, kind: 'InvalidArgument' });
  }
});
