import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';
import { type MountEntry, readMounts } from './mounts.js';

export type CgroupVersion = 1 | 2;

/** Where the cgroup hierarchies are: one directory per v1 controller, or the v2 root. */
export interface CgroupLayout {
  version: CgroupVersion;
  /** v1: controller name → mount point (`cpu` and `cpuacct` may share one). */
  v1Controllers: Map<string, string>;
  /** v2: the unified mount point, when mounted (on hybrid hosts too). */
  unifiedRoot: string | undefined;
}

export interface CgroupCapabilities {
  memoryLimit: boolean;
  swapLimit: boolean;
  oomKillDisable: boolean;
  cpuCfsPeriod: boolean;
  cpuCfsQuota: boolean;
  cpuShares: boolean;
  cpuSet: boolean;
  pidsLimit: boolean;
}

const V1_CONTROLLERS = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'blkio',
  'pids',
  'freezer',
  'devices',
  'hugetlb',
  'net_cls',
  'net_prio',
  'perf_event',
];

/**
 * Decides the cgroup mode from the mount table: pure v2 when /sys/fs/cgroup itself is cgroup2,
 * otherwise v1 (hybrid hosts mount v1 controllers plus an empty unified hierarchy).
 */
export function cgroupLayoutFromMounts(mounts: MountEntry[]): CgroupLayout {
  const v1Controllers = new Map<string, string>();
  let unifiedRoot: string | undefined;
  let pureV2 = false;
  for (const m of mounts) {
    if (m.fstype === 'cgroup2') {
      unifiedRoot ??= m.target;
      if (m.target === '/sys/fs/cgroup') pureV2 = true;
    } else if (m.fstype === 'cgroup') {
      for (const opt of m.options) {
        if (V1_CONTROLLERS.includes(opt) && !v1Controllers.has(opt))
          v1Controllers.set(opt, m.target);
      }
    }
  }
  const version: CgroupVersion = pureV2 || v1Controllers.size === 0 ? 2 : 1;
  return { version, v1Controllers, unifiedRoot };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}

async function v2Controllers(root: string): Promise<Set<string>> {
  try {
    const text = await readFile(join(root, 'cgroup.controllers'), 'utf8');
    return new Set(text.split(/\s+/).filter(Boolean));
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return new Set();
    throw err;
  }
}

/** Probes which resource limits the host's cgroups can enforce, as `docker info` reports them. */
export async function probeCgroupCapabilities(layout: CgroupLayout): Promise<CgroupCapabilities> {
  if (layout.version === 2) {
    const ctl = await v2Controllers(layout.unifiedRoot ?? '/sys/fs/cgroup');
    return {
      memoryLimit: ctl.has('memory'),
      swapLimit: ctl.has('memory'),
      oomKillDisable: false,
      cpuCfsPeriod: ctl.has('cpu'),
      cpuCfsQuota: ctl.has('cpu'),
      cpuShares: ctl.has('cpu'),
      cpuSet: ctl.has('cpuset'),
      pidsLimit: ctl.has('pids'),
    };
  }
  const file = async (controller: string, name: string): Promise<boolean> => {
    const dir = layout.v1Controllers.get(controller);
    return dir !== undefined && exists(join(dir, name));
  };
  return {
    memoryLimit: await file('memory', 'memory.limit_in_bytes'),
    swapLimit: await file('memory', 'memory.memsw.limit_in_bytes'),
    oomKillDisable: await file('memory', 'memory.oom_control'),
    cpuCfsPeriod: await file('cpu', 'cpu.cfs_period_us'),
    cpuCfsQuota: await file('cpu', 'cpu.cfs_quota_us'),
    cpuShares: await file('cpu', 'cpu.shares'),
    cpuSet: await file('cpuset', 'cpuset.cpus'),
    pidsLimit: layout.v1Controllers.has('pids'),
  };
}

export async function detectCgroupLayout(): Promise<CgroupLayout> {
  return cgroupLayoutFromMounts(await readMounts());
}
