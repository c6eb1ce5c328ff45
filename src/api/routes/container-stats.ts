import type { ContainerService, StatsFrame, StatsSample } from '../../containers/index.js';
import type { BlkioEntry } from '../../sys/index.js';
import { exactJson } from '../exact-json.js';
import { queryBool } from '../request.js';
import type { RequestContext, Route } from '../router.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

const entries = (list: readonly BlkioEntry[]) =>
  list.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));

function cpuStats(sample: StatsSample | undefined): Record<string, unknown> {
  const zeroUsage = { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 };
  const zeroThrottling = { periods: 0, throttled_periods: 0, throttled_time: 0 };
  if (!sample) return { cpu_usage: zeroUsage, throttling_data: zeroThrottling };
  const cpu = sample.cgroup.cpu;
  return {
    cpu_usage: {
      total_usage: cpu.total,
      ...(cpu.perCpu && cpu.perCpu.length > 0 ? { percpu_usage: cpu.perCpu } : {}),
      usage_in_kernelmode: cpu.kernel,
      usage_in_usermode: cpu.user,
    },
    system_cpu_usage: sample.systemCpu,
    online_cpus: sample.onlineCpus,
    throttling_data: {
      periods: cpu.periods,
      throttled_periods: cpu.throttledPeriods,
      throttled_time: cpu.throttledTime,
    },
  };
}

/** A bigint or number field, left out when zero or absent (Go's omitempty). */
function nonZero(key: string, value: bigint | number | undefined): Record<string, unknown> {
  return value === undefined || value === 0n || value === 0 ? {} : { [key]: value };
}

/** Docker's StatsResponse (container.StatsResponse, its field order and omitempty rules). */
export function toWireStats(frame: StatsFrame): Record<string, unknown> {
  const { sample, previous } = frame;
  const memory = sample?.cgroup.memory;
  const blkio = sample?.cgroup.blkio;
  return {
    name: frame.name,
    id: frame.id,
    read: sample?.read ?? ZERO_TIME,
    preread: previous?.read ?? ZERO_TIME,
    pids_stats: sample
      ? {
          ...nonZero('current', sample.cgroup.pids.current),
          ...nonZero('limit', sample.cgroup.pids.limit),
        }
      : {},
    blkio_stats: {
      io_service_bytes_recursive: blkio ? entries(blkio.serviceBytes) : null,
      io_serviced_recursive: blkio ? entries(blkio.serviced) : null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(sample),
    precpu_stats: cpuStats(previous),
    memory_stats: memory
      ? {
          ...nonZero('usage', memory.usage),
          ...nonZero('max_usage', memory.maxUsage),
          ...(Object.keys(memory.stats).length > 0 ? { stats: memory.stats } : {}),
          ...nonZero('failcnt', memory.failcnt),
          ...nonZero('limit', sample?.memoryLimit),
        }
      : {},
    ...(sample?.networks
      ? {
          networks: Object.fromEntries(
            Object.entries(sample.networks).map(([name, n]) => [
              name,
              {
                rx_bytes: n.rxBytes,
                rx_packets: n.rxPackets,
                rx_errors: n.rxErrors,
                rx_dropped: n.rxDropped,
                tx_bytes: n.txBytes,
                tx_packets: n.txPackets,
                tx_errors: n.txErrors,
                tx_dropped: n.txDropped,
              },
            ]),
          ),
        }
      : {}),
  };
}

async function statsRoute(backend: ContainerService, ctx: RequestContext): Promise<void> {
  const stream = queryBool(ctx.query, 'stream', true);
  const oneShot = queryBool(ctx.query, 'one-shot');
  const frames = backend.stats(ctx.params['id'] ?? '', { stream, oneShot, signal: ctx.signal });
  let started = false;
  for await (const frame of frames) {
    if (!started) {
      ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
      started = true;
    }
    ctx.res.write(`${exactJson(toWireStats(frame))}\n`);
  }
  ctx.res.end();
}

export function containerStatsRoutes(backend: ContainerService): Route[] {
  return [
    { method: 'GET', path: '/containers/{id}/stats', handler: (ctx) => statsRoute(backend, ctx) },
  ];
}
