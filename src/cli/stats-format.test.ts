import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  DEFAULT_STATS_FORMAT,
  STATS_HEADERS,
  type StatsDocument,
  blockIo,
  cpuPercent,
  emptyEntry,
  invalidEntry,
  memoryUsage,
  statsEntry,
  statsFormat,
  statsRow,
  terminalFrame,
} from './stats-format.js';
import { renderList } from './table.js';

const ID = '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** A running container on a cgroup v2 host, as Docker sends it (`stream=false`). */
const V2: StatsDocument = JSON.parse(`{
  "name": "/web", "id": "${ID}",
  "read": "2025-05-01T10:00:02.000000001Z", "preread": "2025-05-01T10:00:01.000000001Z",
  "pids_stats": {"current": 3, "limit": 4915},
  "blkio_stats": {"io_service_bytes_recursive": [
    {"major": 8, "minor": 0, "op": "read", "value": 4096},
    {"major": 8, "minor": 0, "op": "write", "value": 8192},
    {"major": 8, "minor": 16, "op": "Read", "value": 1000}
  ], "io_serviced_recursive": null},
  "num_procs": 0, "storage_stats": {},
  "cpu_stats": {"cpu_usage": {"total_usage": 7375342127, "usage_in_kernelmode": 30000000,
    "usage_in_usermode": 7340000000}, "system_cpu_usage": 94907870000000, "online_cpus": 2,
    "throttling_data": {"periods": 147, "throttled_periods": 146, "throttled_time": 7159694971}},
  "precpu_stats": {"cpu_usage": {"total_usage": 6878487974, "usage_in_kernelmode": 20000000,
    "usage_in_usermode": 6850000000}, "system_cpu_usage": 94905920000000, "online_cpus": 2,
    "throttling_data": {"periods": 137, "throttled_periods": 136, "throttled_time": 6708801597}},
  "memory_stats": {"usage": 1835008, "stats": {"anon": 1310720, "file": 524288,
    "active_file": 262144, "inactive_file": 262144, "pgfault": 672}, "limit": 8160437862},
  "networks": {"eth0": {"rx_bytes": 1200, "rx_packets": 14, "rx_errors": 0, "rx_dropped": 0,
    "tx_bytes": 648, "tx_packets": 8, "tx_errors": 0, "tx_dropped": 0},
    "eth1": {"rx_bytes": 34, "tx_bytes": 0}}
}`);

/** A cgroup v1 host: per-CPU counters without online_cpus, `total_*` memory keys. */
const V1: StatsDocument = JSON.parse(`{
  "name": "/db", "id": "${ID}",
  "pids_stats": {"current": 12},
  "blkio_stats": {"io_service_bytes_recursive": [
    {"major": 253, "minor": 0, "op": "Read", "value": 2000000},
    {"major": 253, "minor": 0, "op": "Write", "value": 500},
    {"major": 253, "minor": 0, "op": "Sync", "value": 2000500},
    {"major": 253, "minor": 0, "op": "Total", "value": 2000500},
    {"major": 253, "minor": 0, "op": "", "value": 7}
  ]},
  "cpu_stats": {"cpu_usage": {"total_usage": 2300000000,
    "percpu_usage": [600000000, 600000000, 600000000, 500000000]},
    "system_cpu_usage": 40000000000},
  "precpu_stats": {"cpu_usage": {"total_usage": 2000000000,
    "percpu_usage": [500000000, 500000000, 500000000, 500000000]},
    "system_cpu_usage": 36000000000},
  "memory_stats": {"usage": 10485760, "max_usage": 20971520, "stats": {"cache": 4194304,
    "inactive_file": 1048576, "total_inactive_file": 2097152, "rss": 6291456},
    "limit": 104857600}
}`);

/** A stopped container: Docker sends its name and id, every figure empty. */
const STOPPED: StatsDocument = JSON.parse(`{
  "name": "/idle", "id": "${ID}",
  "read": "0001-01-01T00:00:00Z", "preread": "0001-01-01T00:00:00Z",
  "pids_stats": {}, "blkio_stats": {"io_service_bytes_recursive": null},
  "cpu_stats": {"cpu_usage": {"total_usage": 0}, "throttling_data": {}},
  "precpu_stats": {"cpu_usage": {"total_usage": 0}, "throttling_data": {}},
  "memory_stats": {}
}`);

test('CPU %: the delta share of the host times the online CPUs', () => {
  const v2 = cpuPercent(V2.precpu_stats, V2.cpu_stats);
  assert.ok(Math.abs(v2 - 50.9594003) < 1e-6, String(v2));
  // Without online_cpus, the per-CPU counters' count: 0.3 s of 4 s × 4 CPUs.
  assert.equal(cpuPercent(V1.precpu_stats, V1.cpu_stats), 30);
  // The first sample of a stream has no previous one: no system delta... but a CPU delta.
  assert.equal(cpuPercent(undefined, { cpu_usage: { total_usage: 5 } }), 0);
  assert.equal(cpuPercent(V2.cpu_stats, V2.precpu_stats), 0);
  assert.equal(cpuPercent(STOPPED.precpu_stats, STOPPED.cpu_stats), 0);
});

test('memory: usage without the inactive page cache, v1 and v2', () => {
  assert.equal(memoryUsage(V2.memory_stats), 1_572_864);
  assert.equal(memoryUsage(V1.memory_stats), 8_388_608);
  // total_inactive_file not below usage: v2's key is tried.
  assert.equal(memoryUsage({ usage: 1000, stats: { total_inactive_file: 5000 } }), 1000);
  assert.equal(
    memoryUsage({ usage: 1000, stats: { total_inactive_file: 5000, inactive_file: 200 } }),
    800,
  );
  assert.equal(memoryUsage({ usage: 100, stats: { inactive_file: 100 } }), 100);
  assert.equal(memoryUsage({}), 0);
  assert.equal(memoryUsage(undefined), 0);
});

test('block I/O: ops by their first letter, any case; others ignored', () => {
  assert.deepEqual(blockIo(V2.blkio_stats), { read: 5096, write: 8192 });
  assert.deepEqual(blockIo(V1.blkio_stats), { read: 2_000_000, write: 500 });
  assert.deepEqual(blockIo(STOPPED.blkio_stats), { read: 0, write: 0 });
});

const render = (format: string, docs: StatsDocument[], trunc = true) =>
  renderList(
    statsFormat(format),
    docs.map((doc) => statsRow(statsEntry(doc.id?.slice(0, 12) ?? '', doc), { trunc })),
    STATS_HEADERS,
  );

test('the default table: docker’s columns and units', () => {
  assert.equal(statsFormat(''), DEFAULT_STATS_FORMAT);
  assert.equal(statsFormat('table'), DEFAULT_STATS_FORMAT);
  assert.equal(
    render('', [V2, V1, STOPPED]),
    [
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O         BLOCK I/O        PIDS',
      '9f8e7d6c5b4a   web       50.96%    1.5MiB / 7.6GiB     0.02%     1.23kB / 648B   5.1kB / 8.19kB   3',
      '9f8e7d6c5b4a   db        30.00%    8MiB / 100MiB       8.00%     0B / 0B         2MB / 500B       12',
      '9f8e7d6c5b4a   idle      0.00%     0B / 0B             0.00%     0B / 0B         0B / 0B          0',
      '',
    ].join('\n'),
  );
});

test('--format: fields, json with sorted keys, --no-trunc ids, template errors', () => {
  assert.equal(render('{{.Container}} {{.ID}} {{.PIDs}}', [V1], false), `9f8e7d6c5b4a ${ID} 12\n`);
  assert.equal(
    render('json', [V2]),
    '{"BlockIO":"5.1kB / 8.19kB","CPUPerc":"50.96%","Container":"9f8e7d6c5b4a",' +
      '"ID":"9f8e7d6c5b4a","MemPerc":"0.02%","MemUsage":"1.5MiB / 7.6GiB","Name":"web",' +
      '"NetIO":"1.23kB / 648B","PIDs":"3"}\n',
  );
  assert.equal(
    render('table {{.Container}}\t{{.CPUPerc}}', [V1]),
    'CONTAINER      CPU %\n9f8e7d6c5b4a   30.00%\n',
  );
  assert.throws(
    () => render('{{.Nope}}', [V1]),
    /^Error: template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type \*container.statsContext$/,
  );
});

test('rows without a sample: zeros before the first, `--` once invalid', () => {
  const fresh = statsRow(emptyEntry('web'), { trunc: true });
  assert.equal(fresh['Name'], '--');
  assert.equal(fresh['ID'], '');
  assert.equal(fresh['CPUPerc'], '0.00%');
  assert.equal(fresh['MemUsage'], '0B / 0B');
  const gone = statsRow(invalidEntry(statsEntry('web', V2)), { trunc: true });
  assert.deepEqual(
    [gone['Container'], gone['Name'], gone['ID'], gone['CPUPerc'], gone['MemUsage']],
    ['web', 'web', '9f8e7d6c5b4a', '--', '-- / --'],
  );
  assert.deepEqual(
    [gone['MemPerc'], gone['NetIO'], gone['BlockIO'], gone['PIDs']],
    ['--', '--', '--', '--'],
  );
});

test('docker’s own cases: fractions of a byte, percentages', () => {
  const entry = { ...emptyEntry('c'), networkRx: 0.31, networkTx: 12.3, blockRead: 0.1 };
  const row = statsRow(
    { ...entry, blockWrite: 2.3, cpuPercent: 5.5, memoryPercent: 10.2 },
    {
      trunc: true,
    },
  );
  assert.equal(row['NetIO'], '0.31B / 12.3B');
  assert.equal(row['BlockIO'], '0.1B / 2.3B');
  assert.equal(row['CPUPerc'], '5.50%');
  assert.equal(row['MemPerc'], '10.20%');
});

test('a terminal frame: home, each line erased to its end, then below', () => {
  assert.equal(terminalFrame('A\nB\n'), '\x1b[HA \x1b[K\nB \x1b[K\n \x1b[K\n\x1b[J');
});
