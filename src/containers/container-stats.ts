import { setTimeout as sleep } from 'node:timers/promises';

import { notFound } from '../core/index.js';
import { rfc3339Nano } from '../oci/index.js';
import {
  type CgroupStats,
  type InterfaceCounters,
  hostMemoryTotal,
  namespaceNetDev,
  readCgroupStats,
  systemCpuUsage,
} from '../sys/index.js';
import type { ContainerContext } from './container-context.js';
import { parseCpuList } from './resource-checks.js';

/** One reading of a container's counters (Docker's stats sample, before the wire format). */
export interface StatsSample {
  /** RFC 3339 with nanoseconds. */
  read: string;
  cgroup: CgroupStats;
  systemCpu: bigint;
  onlineCpus: number;
  /** The memory limit Docker shows: the cgroup's, or the host's memory when lower or none. */
  memoryLimit: bigint;
  /** Its interfaces (not `lo`); undefined without a network namespace of its own. */
  networks?: Record<string, InterfaceCounters>;
}

/** What a stats request sends: a sample and the one before (for precpu), or none (stopped). */
export interface StatsFrame {
  name: string;
  id: string;
  sample?: StatsSample;
  previous?: StatsSample;
}

function isLive(status: string): boolean {
  return status === 'running' || status === 'paused';
}

async function takeSample(ctx: ContainerContext, id: string): Promise<StatsSample | undefined> {
  const record = ctx.store.get(id);
  if (!record || !isLive(record.state.status) || record.state.pid <= 0) return undefined;
  const mode = record.hostConfig.NetworkMode ?? '';
  const ownNetwork = mode !== 'host' && !mode.startsWith('container:') && mode !== 'none';
  const [cgroup, systemCpu, hostMemory, interfaces] = await Promise.all([
    readCgroupStats(ctx.cgroups, `/moor/${id}`),
    systemCpuUsage(),
    hostMemoryTotal(),
    ownNetwork ? namespaceNetDev(record.state.pid) : Promise.resolve(undefined),
  ]);
  const limit = cgroup.memory.limit;
  const networks = interfaces
    ? Object.fromEntries(Object.entries(interfaces).filter(([name]) => name !== 'lo'))
    : undefined;
  return {
    read: rfc3339Nano(BigInt(Date.now()) * 1_000_000n),
    cgroup,
    systemCpu,
    onlineCpus: parseCpuList(ctx.hostResources.cpus)?.size ?? 1,
    memoryLimit: limit !== undefined && limit < hostMemory ? limit : hostMemory,
    ...(networks && Object.keys(networks).length > 0 ? { networks } : {}),
  };
}

/** Waits `ms`; false when the signal ended the wait. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  }
}

/**
 * Docker's stats: `oneShot` sends one sample at once (no precpu); without `stream`, two
 * samples a second apart are taken and the second sent with the first as precpu; a stream
 * sends a sample every second, each with the one before, and ends when the container stops
 * or is removed. A container that is not running gets one frame without a sample, or (when
 * streaming) such a frame every second until it starts.
 */
export async function* containerStats(
  ctx: ContainerContext,
  id: string,
  options: { stream: boolean; oneShot: boolean; signal: AbortSignal; intervalMs?: number },
): AsyncGenerator<StatsFrame> {
  const record = ctx.store.get(id);
  if (!record) throw notFound(`No such container: ${id}`);
  const frame = { name: `/${record.name}`, id: record.id };
  const interval = options.intervalMs ?? 1000;
  let previous: StatsSample | undefined;
  let sample = await takeSample(ctx, id);
  if (!sample && !options.stream) {
    yield frame;
    return;
  }
  // As dockerd: a container that does not run gets an empty frame every second until it
  // starts, is removed, or the client leaves.
  while (!sample) {
    yield frame;
    if (!(await pause(interval, options.signal)) || !ctx.store.get(id)) return;
    sample = await takeSample(ctx, id);
  }
  if (options.oneShot && !options.stream) {
    yield { ...frame, sample };
    return;
  }
  if (!options.stream) {
    previous = sample;
    try {
      await sleep(interval, undefined, { signal: options.signal });
    } catch (err) {
      if (options.signal.aborted) return;
      throw err;
    }
    sample = await takeSample(ctx, id);
    yield sample ? { ...frame, sample, previous } : frame;
    return;
  }
  while (sample && !options.signal.aborted) {
    yield { ...frame, sample, ...(previous ? { previous } : {}) };
    previous = sample;
    try {
      await sleep(interval, undefined, { signal: options.signal });
    } catch (err) {
      if (options.signal.aborted) return;
      throw err;
    }
    sample = await takeSample(ctx, id);
  }
}
