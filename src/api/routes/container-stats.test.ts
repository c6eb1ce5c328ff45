import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exactJson } from '../exact-json.js';
import { toWireStats } from './container-stats.js';

test('a stopped container’s frame: Docker’s empty stats', () => {
  assert.equal(
    exactJson(toWireStats({ name: '/c', id: 'abc' })),
    '{"name":"/c","id":"abc","read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":{"io_service_bytes_recursive":null,"io_serviced_recursive":null,"io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,"io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null},"num_procs":0,"storage_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"memory_stats":{}}',
  );
});

test('a sample: uint64 counters exact, zero ones left out, precpu from the one before', () => {
  const cgroup = {
    cpu: {
      total: 5n,
      perCpu: [2n, 3n],
      kernel: 1n,
      user: 4n,
      periods: 0n,
      throttledPeriods: 0n,
      throttledTime: 0n,
    },
    memory: {
      usage: 100n,
      maxUsage: 0n,
      limit: 64n,
      stats: { hierarchical_memsw_limit: 9223372036854771712n },
    },
    pids: { current: 1n },
    blkio: { serviceBytes: [{ major: 7, minor: 0, op: 'Read', value: 8n }], serviced: [] },
  };
  const sample = {
    read: 't1',
    cgroup,
    systemCpu: 1000n,
    onlineCpus: 2,
    memoryLimit: 64n,
    networks: {},
  };
  const wire = JSON.parse(
    exactJson(toWireStats({ name: '/c', id: 'i', sample, previous: { ...sample, read: 't0' } })),
  ) as Record<string, unknown>;
  assert.equal(wire['preread'], 't0');
  assert.deepEqual(wire['pids_stats'], { current: 1 });
  assert.deepEqual((wire['cpu_stats'] as Record<string, unknown>)['cpu_usage'], {
    total_usage: 5,
    percpu_usage: [2, 3],
    usage_in_kernelmode: 1,
    usage_in_usermode: 4,
  });
  assert.deepEqual(Object.keys(wire['memory_stats'] as object), ['usage', 'stats', 'limit']);
  assert.match(
    exactJson(toWireStats({ name: '/c', id: 'i', sample })),
    /"hierarchical_memsw_limit":9223372036854771712/,
  );
});
