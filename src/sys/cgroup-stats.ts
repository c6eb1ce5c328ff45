import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';
import type { CgroupLayout } from './cgroups.js';

/** One `major:minor op value` entry of the block I/O statistics. */
export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: bigint;
}

/**
 * A cgroup's counters as the kernel keeps them, in Docker's units (nanoseconds, bytes).
 * Fields the cgroup version does not have are undefined.
 */
export interface CgroupStats {
  cpu: {
    total: bigint;
    /** cgroup v1 only. */
    perCpu?: bigint[];
    kernel: bigint;
    user: bigint;
    periods: bigint;
    throttledPeriods: bigint;
    throttledTime: bigint;
  };
  memory: {
    usage?: bigint;
    /** cgroup v1 only. */
    maxUsage?: bigint;
    failcnt?: bigint;
    /** The cgroup's limit (undefined: none). */
    limit?: bigint;
    stats: Record<string, bigint>;
  };
  pids: { current?: bigint; limit?: bigint };
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
}

/** USER_HZ: the tick of cpuacct.stat and /proc/stat. */
const NS_PER_TICK = 10_000_000n;

/** The memory.stat keys Docker reports on cgroup v1 (containerd's v1 metrics). */
const V1_MEMORY_KEYS = new Set(
  [
    'cache',
    'rss',
    'rss_huge',
    'mapped_file',
    'dirty',
    'writeback',
    'pgpgin',
    'pgpgout',
    'pgfault',
    'pgmajfault',
    'inactive_anon',
    'active_anon',
    'inactive_file',
    'active_file',
    'unevictable',
    'hierarchical_memory_limit',
    'hierarchical_memsw_limit',
  ].flatMap((k) => (k.startsWith('hierarchical') ? [k] : [k, `total_${k}`])),
);

/** The memory.stat keys Docker reports on cgroup v2 (containerd's v2 metrics). */
const V2_MEMORY_KEYS = new Set([
  'anon',
  'file',
  'kernel_stack',
  'slab',
  'sock',
  'shmem',
  'file_mapped',
  'file_dirty',
  'file_writeback',
  'anon_thp',
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'unevictable',
  'slab_reclaimable',
  'slab_unreclaimable',
  'pgfault',
  'pgmajfault',
  'workingset_refault',
  'workingset_activate',
  'workingset_nodereclaim',
  'pgrefill',
  'pgscan',
  'pgsteal',
  'pgactivate',
  'pgdeactivate',
  'pglazyfree',
  'pglazyfreed',
  'thp_fault_alloc',
  'thp_collapse_alloc',
]);

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat) as numbers. */
export function parseFlatKeyed(text: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value && /^\d+$/.test(value)) out[key] = BigInt(value);
  }
  return out;
}

/** A single number, or undefined for `max` (no limit). */
function parseLimit(text: string | undefined): bigint | undefined {
  const value = text?.trim();
  return value && /^\d+$/.test(value) ? BigInt(value) : undefined;
}

/** cgroup v1's `8:0 Read 4096` lines (the `Total` line left out). */
export function parseV1Blkio(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line.trim());
    if (m)
      out.push({
        major: Number(m[1]),
        minor: Number(m[2]),
        op: m[3] ?? '',
        value: BigInt(m[4] ?? '0'),
      });
  }
  return out;
}

/** cgroup v2's io.stat (`8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...`) as Docker reports it. */
export function parseV2IoStat(text: string): {
  serviceBytes: BlkioEntry[];
  serviced: BlkioEntry[];
} {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!m) continue;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    const values = new Map(
      pairs.map((p): [string, string] => [p.split('=')[0] ?? '', p.split('=')[1] ?? '0']),
    );
    const entry = (op: string, key: string) => ({
      major,
      minor,
      op,
      value: BigInt(values.get(key) ?? '0'),
    });
    serviceBytes.push(entry('read', 'rbytes'), entry('write', 'wbytes'));
    serviced.push(entry('read', 'rios'), entry('write', 'wios'));
  }
  return { serviceBytes, serviced };
}

async function read(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENODEV', 'EOPNOTSUPP')) return undefined;
    throw err;
  }
}

async function readV1(layout: CgroupLayout, cgroup: string): Promise<CgroupStats> {
  const dir = (controller: string) => join(layout.v1Controllers.get(controller) ?? '', cgroup);
  const [
    usage,
    perCpu,
    acct,
    cpuStat,
    memUsage,
    memMax,
    memFail,
    memLimit,
    memStat,
    pids,
    pidsMax,
    bytes,
    ios,
  ] = await Promise.all([
    read(join(dir('cpuacct'), 'cpuacct.usage')),
    read(join(dir('cpuacct'), 'cpuacct.usage_percpu')),
    read(join(dir('cpuacct'), 'cpuacct.stat')),
    read(join(dir('cpu'), 'cpu.stat')),
    read(join(dir('memory'), 'memory.usage_in_bytes')),
    read(join(dir('memory'), 'memory.max_usage_in_bytes')),
    read(join(dir('memory'), 'memory.failcnt')),
    read(join(dir('memory'), 'memory.limit_in_bytes')),
    read(join(dir('memory'), 'memory.stat')),
    read(join(dir('pids'), 'pids.current')),
    read(join(dir('pids'), 'pids.max')),
    read(join(dir('blkio'), 'blkio.throttle.io_service_bytes_recursive')),
    read(join(dir('blkio'), 'blkio.throttle.io_serviced_recursive')),
  ]);
  const ticks = parseFlatKeyed(acct ?? '');
  const throttling = parseFlatKeyed(cpuStat ?? '');
  const stats = Object.fromEntries(
    Object.entries(parseFlatKeyed(memStat ?? '')).filter(([k]) => V1_MEMORY_KEYS.has(k)),
  );
  return {
    cpu: {
      total: parseLimit(usage) ?? 0n,
      perCpu: (perCpu ?? '')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((v) => BigInt(v)),
      kernel: (ticks['system'] ?? 0n) * NS_PER_TICK,
      user: (ticks['user'] ?? 0n) * NS_PER_TICK,
      periods: throttling['nr_periods'] ?? 0n,
      throttledPeriods: throttling['nr_throttled'] ?? 0n,
      throttledTime: throttling['throttled_time'] ?? 0n,
    },
    memory: {
      usage: parseLimit(memUsage),
      maxUsage: parseLimit(memMax),
      failcnt: parseLimit(memFail),
      limit: parseLimit(memLimit),
      stats,
    },
    pids: { current: parseLimit(pids), limit: parseLimit(pidsMax) },
    blkio: { serviceBytes: parseV1Blkio(bytes ?? ''), serviced: parseV1Blkio(ios ?? '') },
  };
}

async function readV2(layout: CgroupLayout, cgroup: string): Promise<CgroupStats> {
  const dir = join(layout.unifiedRoot ?? '/sys/fs/cgroup', cgroup);
  const [cpuStat, current, max, memStat, pids, pidsMax, io] = await Promise.all(
    [
      'cpu.stat',
      'memory.current',
      'memory.max',
      'memory.stat',
      'pids.current',
      'pids.max',
      'io.stat',
    ].map((file) => read(join(dir, file))),
  );
  const cpu = parseFlatKeyed(cpuStat ?? '');
  const stats = Object.fromEntries(
    Object.entries(parseFlatKeyed(memStat ?? '')).filter(([k]) => V2_MEMORY_KEYS.has(k)),
  );
  return {
    cpu: {
      total: (cpu['usage_usec'] ?? 0n) * 1000n,
      kernel: (cpu['system_usec'] ?? 0n) * 1000n,
      user: (cpu['user_usec'] ?? 0n) * 1000n,
      periods: cpu['nr_periods'] ?? 0n,
      throttledPeriods: cpu['nr_throttled'] ?? 0n,
      throttledTime: (cpu['throttled_usec'] ?? 0n) * 1000n,
    },
    memory: { usage: parseLimit(current), limit: parseLimit(max), stats },
    pids: { current: parseLimit(pids), limit: parseLimit(pidsMax) },
    blkio: parseV2IoStat(io ?? ''),
  };
}

/** A container cgroup's counters (`cgroup`: its path under each hierarchy, `/moor/<id>`). */
export function readCgroupStats(layout: CgroupLayout, cgroup: string): Promise<CgroupStats> {
  return layout.version === 1 ? readV1(layout, cgroup) : readV2(layout, cgroup);
}

/** The host's total CPU time (ns) from /proc/stat, as Docker's system_cpu_usage counts it. */
export async function systemCpuUsage(): Promise<bigint> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
  const fields = (line ?? '').trim().split(/\s+/).slice(1, 8);
  return fields.reduce((sum, v) => sum + BigInt(v), 0n) * NS_PER_TICK;
}

/** The host's memory (bytes), from /proc/meminfo. */
export async function hostMemoryTotal(): Promise<bigint> {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'));
  return BigInt(m?.[1] ?? '0') * 1024n;
}

export interface InterfaceCounters {
  rxBytes: bigint;
  rxPackets: bigint;
  rxErrors: bigint;
  rxDropped: bigint;
  txBytes: bigint;
  txPackets: bigint;
  txErrors: bigint;
  txDropped: bigint;
}

/** /proc/net/dev's table: interface → counters. */
export function parseNetDev(text: string): Record<string, InterfaceCounters> {
  const out: Record<string, InterfaceCounters> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map((n) => BigInt(n));
    const at = (i: number) => v[i] ?? 0n;
    out[name] = {
      rxBytes: at(0),
      rxPackets: at(1),
      rxErrors: at(2),
      rxDropped: at(3),
      txBytes: at(8),
      txPackets: at(9),
      txErrors: at(10),
      txDropped: at(11),
    };
  }
  return out;
}

/** The interfaces of the network namespace process `pid` is in (its /proc/<pid>/net/dev). */
export async function namespaceNetDev(pid: number): Promise<Record<string, InterfaceCounters>> {
  const text = await read(`/proc/${pid}/net/dev`);
  return text ? parseNetDev(text) : {};
}
