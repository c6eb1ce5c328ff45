import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { buildResources, cgroupV2Values } from '../../src/runtime/index.js';

const isRoot = process.getuid?.() === 0;

/** A block device node of the host, for blkio throttles (loop devices usually exist). */
async function someBlockDevice(): Promise<string | undefined> {
  for (const name of (await readdir('/sys/block')).sort()) {
    const info = await stat(`/dev/${name}`).catch(() => undefined);
    if (info?.isBlockDevice()) return `/dev/${name}`;
  }
  return undefined;
}

/**
 * Resource limits on the real kernel: each flag shows in inspect and in the container's own
 * cgroup files (cgroup v1 or v2, whichever the host has), dockerd's refusals, and a memory
 * hog OOM-killed with exit 137 and State.OOMKilled.
 */
describe('resource limits', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-resources-'));
    daemon = await startDaemonWithBusybox('resources');
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads cgroup files inside a container made with `flags`: name → first line. */
  const cgroupFiles = async (flags: string[], files: string[]) => {
    const script = files.map((f) => `echo "${f}=$(head -n1 /sys/fs/cgroup/${f} 2>&1)"`).join(';');
    const r = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      ...flags,
      'busybox',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  };

  test('memory, cpu, cpuset, pids, blkio and ulimits take effect in the kernel', async () => {
    const device = await someBlockDevice();
    const flags = [
      ...['--memory', '32m', '--memory-swap', '64m', '--memory-reservation', '16m'],
      ...['--cpus', '0.5', '--cpu-shares', '512', '--cpuset-cpus', '0', '--pids-limit', '20'],
      ...(device
        ? ['--device-read-bps', `${device}:1mb`, '--device-write-iops', `${device}:100`]
        : []),
    ];
    const v2 =
      (
        await docker([
          'run',
          '--rm',
          '--network',
          'none',
          'busybox',
          'test',
          '-e',
          '/sys/fs/cgroup/cgroup.controllers',
        ])
      ).code === 0;
    if (v2) {
      // What runc writes on a v2 host for these limits (the unit-tested mapping).
      const expected = cgroupV2Values(
        buildResources({
          Memory: 32 * 1024 * 1024,
          MemorySwap: 64 * 1024 * 1024,
          MemoryReservation: 16 * 1024 * 1024,
          NanoCpus: 5e8,
          CpuShares: 512,
          CpusetCpus: '0',
          PidsLimit: 20,
        }),
      );
      const files = await cgroupFiles(flags, Object.keys(expected));
      assert.deepEqual(files, expected);
    } else {
      const files = await cgroupFiles(flags, [
        'memory/memory.limit_in_bytes',
        'memory/memory.memsw.limit_in_bytes',
        'memory/memory.soft_limit_in_bytes',
        'cpu/cpu.cfs_quota_us',
        'cpu/cpu.cfs_period_us',
        'cpu/cpu.shares',
        'cpuset/cpuset.cpus',
        'pids/pids.max',
        ...(device
          ? ['blkio/blkio.throttle.read_bps_device', 'blkio/blkio.throttle.write_iops_device']
          : []),
      ]);
      const numbers = device ? (await stat(device)).rdev : 0;
      const majorMinor = `${Math.floor(numbers / 256) & 0xfff}:${numbers & 0xff}`;
      assert.deepEqual(files, {
        'memory/memory.limit_in_bytes': '33554432',
        'memory/memory.memsw.limit_in_bytes': '67108864',
        'memory/memory.soft_limit_in_bytes': '16777216',
        'cpu/cpu.cfs_quota_us': '50000',
        'cpu/cpu.cfs_period_us': '100000',
        'cpu/cpu.shares': '512',
        'cpuset/cpuset.cpus': '0',
        'pids/pids.max': '20',
        ...(device
          ? {
              'blkio/blkio.throttle.read_bps_device': `${majorMinor} 1048576`,
              'blkio/blkio.throttle.write_iops_device': `${majorMinor} 100`,
            }
          : {}),
      });
    }
    const limits = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--ulimit',
      'nofile=100:200',
      'busybox',
      'sh',
      '-c',
      'ulimit -n; ulimit -Hn',
    ]);
    assert.equal(limits.stdout, '100\n200\n');
    const created = await docker(['create', '--name', 'res-shown', ...flags, 'busybox']);
    assert.equal(created.code, 0, created.stderr);
    const shown = await docker([
      'inspect',
      '-f',
      '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}}',
      'res-shown',
    ]);
    assert.equal(shown.stdout.trim(), '33554432 67108864 16777216 500000000 512 0 20');
    await docker(['rm', 'res-shown']);
  });

  test('limits dockerd refuses: its messages, nothing created', async () => {
    const before = (await docker(['ps', '-aq'])).stdout;
    const cases: Array<[string[], RegExp]> = [
      [['--memory', '4m'], /Minimum memory limit allowed is 6MB/],
      [
        ['--memory', '10m', '--memory-swap', '5m'],
        /Minimum memoryswap limit should be larger than memory limit/,
      ],
      [['--cpuset-cpus', '0-63'], /Requested CPUs are not available - requested 0-63, available: /],
      [
        ['--cpus', '512'],
        /Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available/,
      ],
      [
        ['--device-read-bps', '/dev/moor-nosuch:1mb'],
        /stat \/dev\/moor-nosuch: no such file or directory/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await docker(['create', ...flags, 'busybox']);
      assert.notEqual(r.code, 0, flags.join(' '));
      assert.match(r.stderr, message, flags.join(' '));
    }
    assert.equal((await docker(['ps', '-aq'])).stdout, before);
  });

  test('a container over its memory limit is OOM-killed: exit 137, OOMKilled, an oom event', async () => {
    const since = ((Date.now() - 1) / 1000).toFixed(3);
    const r = await docker([
      ...['run', '--name', 'res-oom', '--network', 'none', '--memory', '8m', '--memory-swap', '8m'],
      ...['busybox', 'sh', '-c', 'tail /dev/zero'],
    ]);
    assert.equal(r.code, 137, r.stderr);
    const state = await docker([
      'inspect',
      '-f',
      '{{.State.OOMKilled}} {{.State.ExitCode}}',
      'res-oom',
    ]);
    assert.equal(state.stdout.trim(), 'true 137');
    const events = await docker([
      ...['events', '--since', since, '--until', ((Date.now() + 1) / 1000).toFixed(3)],
      ...['--filter', 'container=res-oom', '--filter', 'event=oom', '--filter', 'event=die'],
      ...['--format', '{{.Action}} {{.Actor.Attributes.exitCode}}'],
    ]);
    assert.equal(events.stdout, 'oom <no value>\ndie 137\n');
    await docker(['rm', 'res-oom']);
  });

  test('docker update changes a running container’s limits in the kernel, and a stopped one’s record', async () => {
    const started = await docker([
      ...['run', '-d', '--name', 'res-upd', '--network', 'none', '--memory', '32m'],
      ...['busybox', 'sleep', '300'],
    ]);
    assert.equal(started.code, 0, started.stderr);
    const updated = await docker([
      ...['update', '--memory', '64m', '--memory-swap', '128m', '--cpus', '0.5'],
      ...['--pids-limit', '30', '--restart', 'on-failure:2', 'res-upd'],
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(updated.stdout, 'res-upd\n');
    const read = await docker([
      ...['exec', 'res-upd', 'sh', '-c'],
      'if [ -e /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max; fi',
    ]);
    assert.match(read.stdout, /^67108864\n50000( 100000)?\n30\n$/);
    const shown = await docker([
      ...['inspect', '-f'],
      '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}',
      'res-upd',
    ]);
    assert.equal(shown.stdout.trim(), '67108864 134217728 500000000 30 on-failure:2');
    const refused = await docker(['update', '--cpu-quota', '50000', 'res-upd']);
    assert.match(refused.stderr, /CPU Quota cannot be updated as NanoCPUs has already been set/);
    await docker(['stop', '-t', '0', 'res-upd']);
    assert.equal((await docker(['update', '--memory', '48m', 'res-upd'])).code, 0);
    await docker(['start', 'res-upd']);
    const after = await docker([
      'exec',
      'res-upd',
      'sh',
      '-c',
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
    ]);
    assert.equal(after.stdout.trim(), String(48 * 1024 * 1024));
    await docker(['rm', '-f', 'res-upd']);
  });
});
