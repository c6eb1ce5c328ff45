import type { Resources } from '../api-types/index.js';
import { invalidArgument } from '../core/index.js';

/** What the host offers, for checking requested limits. */
export interface HostResources {
  /** Online CPUs (`0-3`, as /sys/devices/system/cpu/online lists them). */
  cpus: string;
  /** Online memory nodes (`0`). */
  mems: string;
  /** Swap can be limited (memsw on cgroup v1). */
  swapLimit: boolean;
}

const MIN_MEMORY = 6 * 1024 * 1024;

/** A cpuset list (`0-2,4`) as numbers, or undefined when it is not one. */
export function parseCpuList(text: string): Set<number> | undefined {
  const out = new Set<number>();
  if (text.trim() === '') return out;
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) return undefined;
    for (let n = from; n <= to; n++) out.add(n);
  }
  return out;
}

function checkCpuset(requested: string | undefined, available: string, what: string): void {
  if (!requested) return;
  const wanted = parseCpuList(requested);
  if (!wanted) throw invalidArgument(`Invalid value ${requested} for cpuset ${what}`);
  const have = parseCpuList(available) ?? new Set<number>();
  if ([...wanted].some((n) => !have.has(n))) {
    const kind = what === 'cpus' ? 'CPUs' : 'memory nodes';
    throw invalidArgument(
      `Requested ${kind} are not available - requested ${requested}, available: ${available}`,
    );
  }
}

/**
 * dockerd's checks of a container's resource limits (at create and update), with its
 * messages: memory and reservation at least 6 MB, swap above memory and only with it, CFS
 * period and quota ranges, `--cpus` within the host's CPUs and not with a period or quota,
 * cpusets the host has, blkio weight 10–1000, swappiness 0–100.
 */
export function checkResources(r: Resources, host: HostResources): void {
  const memory = r.Memory ?? 0;
  const swap = r.MemorySwap ?? 0;
  const reservation = r.MemoryReservation ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) {
    throw invalidArgument('Minimum memory limit allowed is 6MB');
  }
  if (memory > 0 && swap > 0 && swap < memory) {
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (memory === 0 && swap > 0) {
    throw invalidArgument(
      'You should always set the Memory limit when using Memoryswap limit, see usage',
    );
  }
  const swappiness = r.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && (swappiness < -1 || swappiness > 100)) {
    throw invalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation !== 0 && reservation < MIN_MEMORY) {
    throw invalidArgument('Minimum memory reservation allowed is 6MB');
  }
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw invalidArgument(
      'Minimum memory limit can not be less than memory reservation limit, see usage',
    );
  }
  const nano = r.NanoCpus ?? 0;
  if (nano > 0 && ((r.CpuPeriod ?? 0) > 0 || (r.CpuQuota ?? 0) > 0)) {
    throw invalidArgument(
      (r.CpuPeriod ?? 0) > 0
        ? 'Conflicting options: Nano CPUs and CPU Period cannot both be set'
        : 'Conflicting options: Nano CPUs and CPU Quota cannot both be set',
    );
  }
  const count = parseCpuList(host.cpus)?.size ?? 1;
  if (nano < 0 || nano > count * 1e9) {
    throw invalidArgument(
      `Range of CPUs is from 0.01 to ${count}.00, as there are only ${count} CPUs available`,
    );
  }
  const period = r.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw invalidArgument(
      'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)',
    );
  }
  const quota = r.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) {
    throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  checkCpuset(r.CpusetCpus, host.cpus, 'cpus');
  checkCpuset(r.CpusetMems, host.mems, 'mems');
  const weight = r.BlkioWeight ?? 0;
  if (weight > 0 && (weight < 10 || weight > 1000)) {
    throw invalidArgument('Range of blkio weight is from 10 to 1000');
  }
}

/** The host paths a container's blkio limits name (`--blkio-weight-device`, throttles). */
export function blkioDevicePaths(r: Resources): string[] {
  return [
    ...(r.BlkioWeightDevice ?? []),
    ...(r.BlkioDeviceReadBps ?? []),
    ...(r.BlkioDeviceWriteBps ?? []),
    ...(r.BlkioDeviceReadIOps ?? []),
    ...(r.BlkioDeviceWriteIOps ?? []),
  ].map((d) => d.Path);
}
