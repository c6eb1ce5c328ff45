import os from 'node:os';

import { MOOR_VERSION } from '../core/index.js';
import {
  type CgroupCapabilities,
  type CgroupLayout,
  type OsDescription,
  countOpenFds,
  goArch,
  machineArchitecture,
  probeCgroupCapabilities,
  readOsDescription,
  readSysctlFlag,
} from '../sys/index.js';
import { type ToolVersion, probeToolVersions } from './tool-versions.js';

/** What other services report for `docker info`'s counters. */
export interface Inventory {
  containers: { running: number; paused: number; stopped: number };
  images: number;
}

export interface SystemSettings {
  engineId: string;
  dataRoot: string;
  debug: () => boolean;
  storageDriver: string;
  loggingDriver: string;
  defaultRuntime: string;
  runtimes: Record<string, { path: string; args?: string[] }>;
  /** The binary `--init` runs, if there is one. */
  initPath?: string;
  insecureRegistries: string[];
  registryMirrors: string[];
  labels: string[];
  cgroups: CgroupLayout;
  inventory: () => Promise<Inventory>;
  eventListeners?: () => number;
}

/** The engine's description of itself and its host, as `docker info` shows it. */
export interface EngineInfo {
  id: string;
  name: string;
  serverVersion: string;
  os: OsDescription;
  kernelVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  dataRoot: string;
  debug: boolean;
  openFds: number;
  eventListeners: number;
  storageDriver: string;
  loggingDriver: string;
  defaultRuntime: string;
  runtimes: Record<string, { path: string; args?: string[] }>;
  /** The default runtime's and the init's versions (unknown: not there or not understood). */
  tools: EngineTools;
  cgroupVersion: 1 | 2;
  cgroupCapabilities: CgroupCapabilities;
  ipv4Forwarding: boolean;
  bridgeNfIptables: boolean;
  bridgeNfIp6tables: boolean;
  insecureRegistries: string[];
  registryMirrors: string[];
  labels: string[];
  inventory: Inventory;
  warnings: string[];
  systemTime: Date;
}

export interface EngineTools {
  runtime?: ToolVersion;
  init?: ToolVersion;
}

export interface EngineVersion {
  version: string;
  os: string;
  arch: string;
  kernelVersion: string;
  runtimeVersion: string;
  tools: EngineTools;
}

export interface SystemService {
  info(): Promise<EngineInfo>;
  version(): Promise<EngineVersion>;
}

function warningsFor(caps: CgroupCapabilities, info: Pick<EngineInfo, 'ipv4Forwarding'>): string[] {
  const warnings: string[] = [];
  if (!caps.memoryLimit) warnings.push('WARNING: No memory limit support');
  if (!caps.swapLimit) warnings.push('WARNING: No swap limit support');
  if (!caps.cpuCfsQuota) warnings.push('WARNING: No cpu cfs quota support');
  if (!caps.cpuShares) warnings.push('WARNING: No cpu shares support');
  if (!info.ipv4Forwarding) warnings.push('WARNING: IPv4 forwarding is disabled');
  return warnings;
}

export async function createSystemService(settings: SystemSettings): Promise<SystemService> {
  // Host facts that cannot change while the daemon runs are read once.
  const osDescription = await readOsDescription();
  const cgroupCapabilities = await probeCgroupCapabilities(settings.cgroups);
  // Two short commands, asked beside the daemon's start (not before it) and once.
  const probing = probeToolVersions({
    runtime: settings.runtimes[settings.defaultRuntime]?.path ?? settings.defaultRuntime,
    ...(settings.initPath === undefined ? {} : { init: settings.initPath }),
  });
  const base = {
    version: MOOR_VERSION,
    os: 'linux',
    arch: goArch(),
    kernelVersion: os.release(),
    runtimeVersion: `node${process.versions.node}`,
  };

  return {
    version: async () => ({ ...base, tools: await probing }),
    async info() {
      const [ipv4Forwarding, bridgeNfIptables, bridgeNfIp6tables, inventory, openFds, tools] =
        await Promise.all([
          readSysctlFlag('/proc/sys/net/ipv4/ip_forward'),
          readSysctlFlag('/proc/sys/net/bridge/bridge-nf-call-iptables'),
          readSysctlFlag('/proc/sys/net/bridge/bridge-nf-call-ip6tables'),
          settings.inventory(),
          countOpenFds(),
          probing,
        ]);
      return {
        id: settings.engineId,
        name: os.hostname(),
        serverVersion: MOOR_VERSION,
        os: osDescription,
        kernelVersion: base.kernelVersion,
        architecture: machineArchitecture(),
        ncpu: os.availableParallelism(),
        memTotal: os.totalmem(),
        dataRoot: settings.dataRoot,
        debug: settings.debug(),
        openFds,
        eventListeners: settings.eventListeners?.() ?? 0,
        storageDriver: settings.storageDriver,
        loggingDriver: settings.loggingDriver,
        defaultRuntime: settings.defaultRuntime,
        runtimes: settings.runtimes,
        tools,
        cgroupVersion: settings.cgroups.version,
        cgroupCapabilities,
        ipv4Forwarding,
        bridgeNfIptables,
        bridgeNfIp6tables,
        insecureRegistries: settings.insecureRegistries,
        registryMirrors: settings.registryMirrors,
        labels: settings.labels,
        inventory,
        warnings: warningsFor(cgroupCapabilities, { ipv4Forwarding }),
        systemTime: new Date(),
      };
    },
  };
}
