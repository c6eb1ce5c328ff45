/**
 * A container's Config and HostConfig as dockerd marshals them: fields in the order of its Go
 * structs, `omitempty` fields left out when empty. moord stores both as the client sent them
 * (merged with the image), so their key order is the client's; clients that re-marshal
 * (the docker CLI's `inspect -f '{{json .Config}}'`) and scripts that diff `inspect` output
 * see dockerd's order.
 */

import { CONFIG_OMITTED_WHEN_EMPTY } from '../../oci/index.js';

const CONFIG_ORDER = [
  'Hostname',
  'Domainname',
  'User',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'ExposedPorts',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'Env',
  'Cmd',
  'Healthcheck',
  'ArgsEscaped',
  'Image',
  'Volumes',
  'WorkingDir',
  'Entrypoint',
  'NetworkDisabled',
  'MacAddress',
  'OnBuild',
  'Labels',
  'StopSignal',
  'StopTimeout',
  'Shell',
];
const CONFIG_OMIT_EMPTY = new Set<string>(CONFIG_OMITTED_WHEN_EMPTY);

const RESOURCES_ORDER = [
  'CpuShares',
  'Memory',
  'NanoCpus',
  'CgroupParent',
  'BlkioWeight',
  'BlkioWeightDevice',
  'BlkioDeviceReadBps',
  'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps',
  'BlkioDeviceWriteIOps',
  'CpuPeriod',
  'CpuQuota',
  'CpuRealtimePeriod',
  'CpuRealtimeRuntime',
  'CpusetCpus',
  'CpusetMems',
  'Devices',
  'DeviceCgroupRules',
  'DeviceRequests',
  'KernelMemoryTCP',
  'MemoryReservation',
  'MemorySwap',
  'MemorySwappiness',
  'OomKillDisable',
  'PidsLimit',
  'Ulimits',
  'CpuCount',
  'CpuPercent',
  'IOMaximumIOps',
  'IOMaximumBandwidth',
];
const HOST_CONFIG_ORDER = [
  'Binds',
  'ContainerIDFile',
  'LogConfig',
  'NetworkMode',
  'PortBindings',
  'RestartPolicy',
  'AutoRemove',
  'VolumeDriver',
  'VolumesFrom',
  'ConsoleSize',
  'Annotations',
  'CapAdd',
  'CapDrop',
  'CgroupnsMode',
  'Dns',
  'DnsOptions',
  'DnsSearch',
  'ExtraHosts',
  'GroupAdd',
  'IpcMode',
  'Cgroup',
  'Links',
  'OomScoreAdj',
  'PidMode',
  'Privileged',
  'PublishAllPorts',
  'ReadonlyRootfs',
  'SecurityOpt',
  'StorageOpt',
  'Tmpfs',
  'UTSMode',
  'UsernsMode',
  'ShmSize',
  'Sysctls',
  'Runtime',
  'Isolation',
  ...RESOURCES_ORDER,
  'Mounts',
  'MaskedPaths',
  'ReadonlyPaths',
  'Init',
];
const HOST_CONFIG_OMIT_EMPTY = new Set([
  'Annotations',
  'StorageOpt',
  'Tmpfs',
  'Sysctls',
  'Runtime',
  'KernelMemoryTCP',
  'Mounts',
  'Init',
]);

/** Go's omitempty: false, 0, "", nil, and empty slices and maps. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function inGoOrder<T extends object>(value: T, order: readonly string[], omit: Set<string>): T {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of order) {
    if (!(key in source) || source[key] === undefined) continue;
    if (omit.has(key) && isEmpty(source[key])) continue;
    out[key] = source[key];
  }
  // Anything else (newer fields) keeps its place after the known ones.
  for (const [key, field] of Object.entries(source))
    if (!(key in out) && !omit.has(key)) out[key] = field;
  return out as T;
}

/** Config in dockerd's field order, omitempty fields dropped when empty. */
export function configInGoOrder<T extends object>(config: T): T {
  return inGoOrder(config, CONFIG_ORDER, CONFIG_OMIT_EMPTY);
}

/** HostConfig (with its embedded Resources) in dockerd's field order. */
export function hostConfigInGoOrder<T extends object>(hostConfig: T): T {
  return inGoOrder(hostConfig, HOST_CONFIG_ORDER, HOST_CONFIG_OMIT_EMPTY);
}
