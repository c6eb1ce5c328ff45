import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseFlatKeyed, parseNetDev, parseV1Blkio, parseV2IoStat } from './cgroup-stats.js';

test('flat keyed files: numbers only, as bigints', () => {
  assert.deepEqual(parseFlatKeyed('cache 4096\nrss 8192\nbogus x\n\n'), {
    cache: 4096n,
    rss: 8192n,
  });
  assert.deepEqual(parseFlatKeyed('hierarchical_memory_limit 9223372036854771712'), {
    hierarchical_memory_limit: 9223372036854771712n,
  });
});

test('block I/O: v1 throttle lines and v2 io.stat', () => {
  assert.deepEqual(parseV1Blkio('7:0 Read 4096\n7:0 Write 0\nTotal 4096\n'), [
    { major: 7, minor: 0, op: 'Read', value: 4096n },
    { major: 7, minor: 0, op: 'Write', value: 0n },
  ]);
  assert.deepEqual(parseV2IoStat('254:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n'), {
    serviceBytes: [
      { major: 254, minor: 0, op: 'read', value: 10n },
      { major: 254, minor: 0, op: 'write', value: 20n },
    ],
    serviced: [
      { major: 254, minor: 0, op: 'read', value: 1n },
      { major: 254, minor: 0, op: 'write', value: 2n },
    ],
  });
});

test('/proc/net/dev: per-interface counters', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0',
    '  eth0:    1680      20    1    2    0     0          0         0      586       7    3    4    0     0       0          0',
  ].join('\n');
  assert.deepEqual(parseNetDev(text)['eth0'], {
    rxBytes: 1680n,
    rxPackets: 20n,
    rxErrors: 1n,
    rxDropped: 2n,
    txBytes: 586n,
    txPackets: 7n,
    txErrors: 3n,
    txDropped: 4n,
  });
  assert.deepEqual(Object.keys(parseNetDev(text)), ['lo', 'eth0']);
});
