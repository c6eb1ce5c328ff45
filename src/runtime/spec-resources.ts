import type { Resources, ThrottleDevice } from '../api-types/index.js';
import { invalidArgument, notImplemented } from '../core/index.js';
import type {
  OciBlockDevice,
  OciBlockIO,
  OciCpu,
  OciDevice,
  OciDeviceRule,
  OciMemory,
  OciResources,
  OciThrottleDevice,
} from './oci-spec.js';
import { dockerDeviceRules, runtimeDeviceRules } from './spec-defaults.js';

/**
 * cgroup limits and device access from HostConfig, mapped as dockerd maps them. Device
 * numbers of host paths come from the caller (stat is host access). Windows-only fields
 * (CpuCount, CpuPercent, IOMaximum*) are ignored; DeviceRequests (`--gpus`) are refused.
 */

/** Host path → device numbers, for BlkioWeightDevice and the throttle lists. */
export type BlockDeviceNumbers = Readonly<Record<string, OciBlockDevice>>;

/** A `--device` mapping resolved on the host (one per device node; a directory gives many). */
export interface DeviceSpec {
  /** 'c' | 'b' */
  type: string;
  /** Path in the container. */
  path: string;
  major: number;
  minor: number;
  /** Permission bits of the host node. */
  fileMode: number;
  uid: number;
  gid: number;
  /** `CgroupPermissions` ('rwm' by default). */
  permissions?: string;
}

function memoryOf(r: Resources): OciMemory | undefined {
  const memory: OciMemory = {};
  if ((r.Memory ?? 0) > 0) memory.limit = r.Memory;
  if ((r.MemoryReservation ?? 0) > 0) memory.reservation = r.MemoryReservation;
  // -1: unlimited swap (meaningful with a memory limit, which it then lifts).
  if ((r.MemorySwap ?? 0) > 0 || (r.MemorySwap === -1 && (r.Memory ?? 0) > 0)) {
    memory.swap = r.MemorySwap;
  }
  if (r.MemorySwappiness !== null && r.MemorySwappiness !== undefined && r.MemorySwappiness >= 0) {
    memory.swappiness = r.MemorySwappiness;
  }
  if (r.OomKillDisable !== null && r.OomKillDisable !== undefined) {
    memory.disableOOMKiller = r.OomKillDisable;
  }
  return Object.keys(memory).length > 0 ? memory : undefined;
}

/** NanoCpus is turned into a CFS quota over Docker's 100 ms period. */
const NANO_CPU_PERIOD = 100000;

function cpuOf(r: Resources): OciCpu | undefined {
  const cpu: OciCpu = {};
  const shares = r.CpuShares ?? 0;
  if (shares < 0) {
    throw invalidArgument(`invalid CPU shares (${shares}): value must be a positive integer`);
  }
  if (shares > 0) cpu.shares = shares;
  if (r.CpusetCpus) cpu.cpus = r.CpusetCpus;
  if (r.CpusetMems) cpu.mems = r.CpusetMems;
  if ((r.NanoCpus ?? 0) > 0) {
    cpu.period = NANO_CPU_PERIOD;
    cpu.quota = Math.floor(((r.NanoCpus ?? 0) * NANO_CPU_PERIOD) / 1e9);
  }
  if (r.CpuPeriod) cpu.period = r.CpuPeriod;
  if (r.CpuQuota) cpu.quota = r.CpuQuota;
  if (r.CpuRealtimePeriod) cpu.realtimePeriod = r.CpuRealtimePeriod;
  if (r.CpuRealtimeRuntime) cpu.realtimeRuntime = r.CpuRealtimeRuntime;
  return Object.keys(cpu).length > 0 ? cpu : undefined;
}

function numbersOf(path: string, devices: BlockDeviceNumbers): OciBlockDevice {
  const found = devices[path];
  if (!found) throw invalidArgument(`stat ${path}: no such file or directory`);
  return { major: found.major, minor: found.minor };
}

function throttle(
  list: ThrottleDevice[] | null | undefined,
  devices: BlockDeviceNumbers,
): OciThrottleDevice[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((t) => ({ ...numbersOf(t.Path, devices), rate: t.Rate }));
}

function blockIOOf(r: Resources, devices: BlockDeviceNumbers): OciBlockIO | undefined {
  const io: OciBlockIO = {};
  if (r.BlkioWeight) io.weight = r.BlkioWeight;
  if (r.BlkioWeightDevice && r.BlkioWeightDevice.length > 0) {
    io.weightDevice = r.BlkioWeightDevice.map((w) => ({
      ...numbersOf(w.Path, devices),
      weight: w.Weight,
    }));
  }
  const lists = {
    throttleReadBpsDevice: throttle(r.BlkioDeviceReadBps, devices),
    throttleWriteBpsDevice: throttle(r.BlkioDeviceWriteBps, devices),
    throttleReadIOPSDevice: throttle(r.BlkioDeviceReadIOps, devices),
    throttleWriteIOPSDevice: throttle(r.BlkioDeviceWriteIOps, devices),
  };
  for (const [key, value] of Object.entries(lists)) {
    if (value) io[key as keyof typeof lists] = value;
  }
  return Object.keys(io).length > 0 ? io : undefined;
}

/** PidsLimit: 0 or negative means unlimited (-1), as Docker passes it. */
function pidsOf(r: Resources): { limit: number } | undefined {
  if (r.PidsLimit === null || r.PidsLimit === undefined) return undefined;
  return { limit: r.PidsLimit <= 0 ? -1 : r.PidsLimit };
}

const RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** `--device-cgroup-rule` entries (`c 1:3 mr`, `a *:* rwm`) as allow rules. */
export function parseDeviceCgroupRules(rules: readonly string[]): OciDeviceRule[] {
  return rules.map((rule) => {
    const m = RULE.exec(rule);
    if (!m) throw invalidArgument(`invalid device cgroup rule format: '${rule}'`);
    const [, type, major, minor, access] = m as unknown as [string, string, string, string, string];
    return {
      allow: true,
      type,
      major: major === '*' ? -1 : Number(major),
      minor: minor === '*' ? -1 : Number(minor),
      access,
    };
  });
}

export interface DeviceAccess {
  /** Device nodes to create besides the defaults. */
  devices: OciDevice[];
  /** The device cgroup rules, in order. */
  rules: OciDeviceRule[];
}

function nodeOf(d: DeviceSpec): OciDevice {
  return {
    type: d.type,
    path: d.path,
    major: d.major,
    minor: d.minor,
    fileMode: d.fileMode,
    uid: d.uid,
    gid: d.gid,
  };
}

/**
 * Device nodes and cgroup rules. Unprivileged: Docker's rules, an allow rule per mapped
 * device (with its CgroupPermissions), the `--device-cgroup-rule` entries, then the runtime's
 * defaults. Privileged: every host device (`hostDevices`), the mapped ones at other paths, and
 * one rule allowing everything.
 */
export function deviceAccess(input: {
  privileged: boolean;
  mapped: readonly DeviceSpec[];
  cgroupRules: readonly string[];
  hostDevices: readonly DeviceSpec[];
}): DeviceAccess {
  if (input.privileged) {
    const paths = new Set(input.hostDevices.map((d) => d.path));
    const devices = [...input.hostDevices, ...input.mapped.filter((d) => !paths.has(d.path))];
    return { devices: devices.map(nodeOf), rules: [{ allow: true, access: 'rwm' }] };
  }
  const mappedRules = input.mapped.map((d): OciDeviceRule => ({
    allow: true,
    type: d.type,
    major: d.major,
    minor: d.minor,
    access: d.permissions || 'rwm',
  }));
  return {
    devices: input.mapped.map(nodeOf),
    rules: [
      ...dockerDeviceRules(),
      ...mappedRules,
      ...parseDeviceCgroupRules(input.cgroupRules),
      ...runtimeDeviceRules(),
    ],
  };
}

/** `linux.resources` without the device rules. */
export function buildResources(r: Resources, blockDevices: BlockDeviceNumbers = {}): OciResources {
  if (r.DeviceRequests && r.DeviceRequests.length > 0) {
    throw notImplemented('device requests (--gpus) are not supported');
  }
  const resources: OciResources = {};
  const memory = memoryOf(r);
  const cpu = cpuOf(r);
  const pids = pidsOf(r);
  const blockIO = blockIOOf(r, blockDevices);
  if (memory) resources.memory = memory;
  if (cpu) resources.cpu = cpu;
  if (pids) resources.pids = pids;
  if (blockIO) resources.blockIO = blockIO;
  return resources;
}
