import type { OciResources } from './oci-spec.js';

/**
 * What a container's cgroup v2 files read once runc has applied its OCI resources (runc's
 * conversion of the v1-shaped values): memory.max, memory.swap.max (swap beyond memory),
 * memory.low, cpu.max (`quota period`), cpu.weight (shares 2–262144 → 1–10000), cpuset,
 * pids.max and io.weight. Files for limits not set are left out. For checking a v2 host.
 */
export function cgroupV2Values(r: OciResources): Record<string, string> {
  const out: Record<string, string> = {};
  const memory = r.memory ?? {};
  if (memory.limit !== undefined && memory.limit > 0) out['memory.max'] = String(memory.limit);
  if (memory.swap !== undefined && memory.limit !== undefined && memory.limit > 0) {
    out['memory.swap.max'] = memory.swap === -1 ? 'max' : String(memory.swap - memory.limit);
  }
  if (memory.reservation !== undefined && memory.reservation > 0) {
    out['memory.low'] = String(memory.reservation);
  }
  const cpu = r.cpu ?? {};
  if (cpu.quota !== undefined || cpu.period !== undefined) {
    const quota = cpu.quota !== undefined && cpu.quota > 0 ? String(cpu.quota) : 'max';
    out['cpu.max'] = `${quota} ${cpu.period ?? 100_000}`;
  }
  if (cpu.shares !== undefined && cpu.shares > 0) {
    out['cpu.weight'] = String(1 + Math.floor(((cpu.shares - 2) * 9999) / 262142));
  }
  if (cpu.cpus) out['cpuset.cpus'] = cpu.cpus;
  if (cpu.mems) out['cpuset.mems'] = cpu.mems;
  if (r.pids) out['pids.max'] = r.pids.limit > 0 ? String(r.pids.limit) : 'max';
  const weight = r.blockIO?.weight;
  if (weight !== undefined && weight > 0) {
    out['io.weight'] = `default ${1 + Math.floor(((weight - 10) * 9999) / 990)}`;
  }
  return out;
}
