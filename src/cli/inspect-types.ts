/**
 * `docker inspect -f` runs its template on the typed Go value first (container.InspectResponse),
 * and only when that fails on the decoded JSON (with `missingkey=error`). What the typed value
 * prints differs from the JSON where the JSON says nothing or null: a nil slice prints `[]`, a
 * nil map `map[]`, a nil pointer `<nil>`, a duration `5s`, a time in Go's layout, a struct
 * `{a b}`. These are the Go types of a container, a network and a volume, as far as printing
 * needs them, and the conversion of the daemon's JSON.
 */
import { GO_STRUCT, GoDuration, GoTime, goNil, jsonOf, withJson } from './go-values.js';

type Kind =
  | 'string'
  | 'int'
  | 'bool'
  | 'any'
  | 'duration'
  | 'time'
  | { slice: Kind }
  | { map: Kind }
  | { ptr: Kind }
  | StructKind;

interface StructKind {
  struct: string;
  /** Go name, type, and the JSON name where it differs (`ID` is `Id`). */
  fields: [string, Kind, string?][];
}

const str = 'string';
const int = 'int';
const bool = 'bool';
const strings: Kind = { slice: str };
const struct = (name: string, fields: [string, Kind, string?][]): StructKind => ({
  struct: name,
  fields,
});

const PORT_BINDING = struct('nat.PortBinding', [
  ['HostIp', str],
  ['HostPort', str],
]);
const PORT_MAP: Kind = { map: { slice: PORT_BINDING } };
const HEALTH = struct('container.Health', [
  ['Status', str],
  ['FailingStreak', int],
  ['Log', { slice: { ptr: 'any' } }],
]);
const STATE = struct('container.State', [
  ['Status', str],
  ['Running', bool],
  ['Paused', bool],
  ['Restarting', bool],
  ['OOMKilled', bool],
  ['Dead', bool],
  ['Pid', int],
  ['ExitCode', int],
  ['Error', str],
  ['StartedAt', str],
  ['FinishedAt', str],
  ['Health', { ptr: HEALTH }],
]);
const HEALTH_CONFIG = struct('container.HealthConfig', [
  ['Test', strings],
  ['Interval', 'duration'],
  ['Timeout', 'duration'],
  ['StartPeriod', 'duration'],
  ['StartInterval', 'duration'],
  ['Retries', int],
]);
const EMPTY_STRUCT = struct('struct {}', []);
const CONFIG = struct('container.Config', [
  ['Hostname', str],
  ['Domainname', str],
  ['User', str],
  ['AttachStdin', bool],
  ['AttachStdout', bool],
  ['AttachStderr', bool],
  ['ExposedPorts', { map: EMPTY_STRUCT }],
  ['Tty', bool],
  ['OpenStdin', bool],
  ['StdinOnce', bool],
  ['Env', strings],
  ['Cmd', strings],
  ['Healthcheck', { ptr: HEALTH_CONFIG }],
  ['ArgsEscaped', bool],
  ['Image', str],
  ['Volumes', { map: EMPTY_STRUCT }],
  ['WorkingDir', str],
  ['Entrypoint', strings],
  ['NetworkDisabled', bool],
  ['MacAddress', str],
  ['OnBuild', strings],
  ['Labels', { map: str }],
  ['StopSignal', str],
  ['StopTimeout', { ptr: int }],
  ['Shell', strings],
]);
const pathRate = (name: string) =>
  struct(name, [
    ['Path', str],
    [name.endsWith('WeightDevice') ? 'Weight' : 'Rate', int],
  ]);
const HOST_CONFIG = struct('container.HostConfig', [
  ['Binds', strings],
  ['ContainerIDFile', str],
  [
    'LogConfig',
    struct('container.LogConfig', [
      ['Type', str],
      ['Config', { map: str }],
    ]),
  ],
  ['NetworkMode', str],
  ['PortBindings', PORT_MAP],
  [
    'RestartPolicy',
    struct('container.RestartPolicy', [
      ['Name', str],
      ['MaximumRetryCount', int],
    ]),
  ],
  ['AutoRemove', bool],
  ['VolumeDriver', str],
  ['VolumesFrom', strings],
  ['ConsoleSize', { slice: int }],
  ['Annotations', { map: str }],
  ['CapAdd', strings],
  ['CapDrop', strings],
  ['CgroupnsMode', str],
  ['Dns', strings],
  ['DnsOptions', strings],
  ['DnsSearch', strings],
  ['ExtraHosts', strings],
  ['GroupAdd', strings],
  ['IpcMode', str],
  ['Cgroup', str],
  ['Links', strings],
  ['OomScoreAdj', int],
  ['PidMode', str],
  ['Privileged', bool],
  ['PublishAllPorts', bool],
  ['ReadonlyRootfs', bool],
  ['SecurityOpt', strings],
  ['StorageOpt', { map: str }],
  ['Tmpfs', { map: str }],
  ['UTSMode', str],
  ['UsernsMode', str],
  ['ShmSize', int],
  ['Sysctls', { map: str }],
  ['Runtime', str],
  ['Isolation', str],
  // container.Resources (embedded): Go names where they differ from the JSON's.
  ['CPUShares', int, 'CpuShares'],
  ['Memory', int],
  ['NanoCPUs', int, 'NanoCpus'],
  ['CgroupParent', str],
  ['BlkioWeight', int],
  ['BlkioWeightDevice', { slice: { ptr: pathRate('blkiodev.WeightDevice') } }],
  ['BlkioDeviceReadBps', { slice: { ptr: pathRate('blkiodev.ThrottleDevice') } }],
  ['BlkioDeviceWriteBps', { slice: { ptr: pathRate('blkiodev.ThrottleDevice') } }],
  ['BlkioDeviceReadIOps', { slice: { ptr: pathRate('blkiodev.ThrottleDevice') } }],
  ['BlkioDeviceWriteIOps', { slice: { ptr: pathRate('blkiodev.ThrottleDevice') } }],
  ['CPUPeriod', int, 'CpuPeriod'],
  ['CPUQuota', int, 'CpuQuota'],
  ['CPURealtimePeriod', int, 'CpuRealtimePeriod'],
  ['CPURealtimeRuntime', int, 'CpuRealtimeRuntime'],
  ['CpusetCpus', str],
  ['CpusetMems', str],
  ['Devices', { slice: 'any' }],
  ['DeviceCgroupRules', strings],
  ['DeviceRequests', { slice: 'any' }],
  ['KernelMemory', int],
  ['KernelMemoryTCP', int],
  ['MemoryReservation', int],
  ['MemorySwap', int],
  ['MemorySwappiness', { ptr: int }],
  ['OomKillDisable', { ptr: bool }],
  ['PidsLimit', { ptr: int }],
  ['Ulimits', { slice: { ptr: 'any' } }],
  ['CPUCount', int, 'CpuCount'],
  ['CPUPercent', int, 'CpuPercent'],
  ['IOMaximumIOps', int],
  ['IOMaximumBandwidth', int],
  ['Mounts', { slice: 'any' }],
  ['MaskedPaths', strings],
  ['ReadonlyPaths', strings],
  ['Init', { ptr: bool }],
]);
const ENDPOINT = struct('network.EndpointSettings', [
  ['IPAMConfig', { ptr: 'any' }],
  ['Links', strings],
  ['Aliases', strings],
  ['DriverOpts', { map: str }],
  ['DNSNames', strings],
]);
const NETWORK_SETTINGS = struct('container.NetworkSettings', [
  ['Ports', PORT_MAP],
  ['SecondaryIPAddresses', { slice: 'any' }],
  ['SecondaryIPv6Addresses', { slice: 'any' }],
  ['Networks', { map: { ptr: ENDPOINT } }],
]);
const CONTAINER = struct('container.InspectResponse', [
  ['Id', str],
  ['Created', str],
  ['Path', str],
  ['Args', strings],
  ['State', { ptr: STATE }],
  ['Image', str],
  ['ResolvConfPath', str],
  ['HostnamePath', str],
  ['HostsPath', str],
  ['LogPath', str],
  ['Name', str],
  ['RestartCount', int],
  ['Driver', str],
  ['Platform', str],
  ['ImageManifestDescriptor', { ptr: 'any' }],
  ['MountLabel', str],
  ['ProcessLabel', str],
  ['AppArmorProfile', str],
  ['ExecIDs', strings],
  ['HostConfig', { ptr: HOST_CONFIG }],
  [
    'GraphDriver',
    struct('storage.DriverData', [
      ['Name', str],
      ['Data', { map: str }],
    ]),
  ],
  ['SizeRw', { ptr: int }],
  ['SizeRootFs', { ptr: int }],
  ['Mounts', { slice: 'any' }],
  ['Config', { ptr: CONFIG }],
  ['NetworkSettings', { ptr: NETWORK_SETTINGS }],
]);

const IPAM_CONFIG = struct('network.IPAMConfig', [
  ['Subnet', str],
  ['IPRange', str],
  ['Gateway', str],
  ['AuxAddress', { map: str }, 'AuxiliaryAddresses'],
]);
const NETWORK = struct('network.Inspect', [
  ['Name', str],
  ['ID', str, 'Id'],
  ['Created', 'time'],
  ['Scope', str],
  ['Driver', str],
  ['EnableIPv4', bool],
  ['EnableIPv6', bool],
  [
    'IPAM',
    struct('network.IPAM', [
      ['Driver', str],
      ['Options', { map: str }],
      ['Config', { slice: IPAM_CONFIG }],
    ]),
  ],
  ['Internal', bool],
  ['Attachable', bool],
  ['Ingress', bool],
  ['ConfigFrom', struct('network.ConfigReference', [['Network', str]])],
  ['ConfigOnly', bool],
  [
    'Containers',
    {
      map: struct('network.EndpointResource', [
        ['Name', str],
        ['EndpointID', str],
        ['MacAddress', str],
        ['IPv4Address', str],
        ['IPv6Address', str],
      ]),
    },
  ],
  ['Options', { map: str }],
  ['Labels', { map: str }],
  ['Peers', { slice: 'any' }],
  ['Services', { map: 'any' }],
]);

const VOLUME = struct('volume.Volume', [
  ['ClusterVolume', { ptr: struct('volume.ClusterVolume', []) }],
  ['CreatedAt', str],
  ['Driver', str],
  ['Labels', { map: str }],
  ['Mountpoint', str],
  ['Name', str],
  ['Options', { map: str }],
  ['Scope', str],
  ['Status', { map: 'any' }],
  [
    'UsageData',
    {
      ptr: struct('volume.UsageData', [
        ['RefCount', int],
        ['Size', int],
      ]),
    },
  ],
]);

function typeName(kind: Kind): string {
  if (typeof kind === 'string') {
    return kind === 'any' ? 'interface {}' : kind === 'time' ? 'time.Time' : kind;
  }
  if ('slice' in kind) return `[]${typeName(kind.slice)}`;
  if ('map' in kind) return `map[string]${typeName(kind.map)}`;
  if ('ptr' in kind) return `*${typeName(kind.ptr)}`;
  return kind.struct;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` (decoded JSON, possibly missing) as a value of Go type `kind`. Converted slices, maps
 * and structs marshal (`json`) as the JSON they came from, maps with sorted keys as Go's.
 */
function convert(value: unknown, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : '';
    case 'int':
      return typeof value === 'number' ? value : 0;
    case 'bool':
      return typeof value === 'boolean' ? value : false;
    case 'duration':
      return new GoDuration(typeof value === 'number' ? value : 0);
    case 'time':
      return new GoTime(typeof value === 'string' ? value : '');
    case 'any':
      return value;
  }
  if ('slice' in kind) {
    if (!Array.isArray(value)) return goNil('slice', typeName(kind));
    const items = value.map((item) => convert(item, kind.slice));
    return withJson(items, items.map(jsonOf));
  }
  if ('map' in kind) {
    if (!isObject(value)) return goNil('map', typeName(kind));
    const entries = Object.entries(value).map(([k, v]): [string, unknown] => [
      k,
      convert(v, kind.map),
    ]);
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const json = Object.fromEntries(sorted.map(([k, v]) => [k, jsonOf(v)]));
    return withJson(Object.fromEntries(entries), json);
  }
  if ('ptr' in kind) {
    return value === null || value === undefined
      ? goNil('pointer', typeName(kind))
      : convert(value, kind.ptr);
  }
  const source = isObject(value) ? value : {};
  const out: Record<PropertyKey, unknown> = { [GO_STRUCT]: kind.struct };
  const goNames = new Map<string, string>();
  for (const [name, field, jsonName = name] of kind.fields) {
    out[name] = convert(source[jsonName], field);
    goNames.set(jsonName, name);
  }
  // Fields this model does not describe are taken as they are.
  for (const [name, field] of Object.entries(source)) if (!goNames.has(name)) out[name] = field;
  const json = Object.fromEntries(
    Object.keys(source).map((name) => [name, jsonOf(out[goNames.get(name) ?? name])]),
  );
  return withJson(out, json);
}

/** Decoded JSON as Go marshals it back from an interface{}: objects' keys sorted. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, sortedKeys(value[key])]));
}

/**
 * A volume's inspect JSON as the docker CLI marshals its volume.Volume back (it keeps no raw
 * JSON for volumes): Go's field order, fields it does not know dropped, the `omitempty` ones
 * (ClusterVolume, CreatedAt, Status, UsageData) left out when empty, maps' keys sorted.
 */
export function marshalledVolume(json: unknown): Record<string, unknown> {
  const source = isObject(json) ? json : {};
  const text = (name: string) => {
    const value = source[name];
    return typeof value === 'string' ? value : '';
  };
  const map = (name: string) => (isObject(source[name]) ? sortedKeys(source[name]) : null);
  const count = (value: unknown) => (typeof value === 'number' ? value : 0);
  const status = map('Status');
  const usage = source['UsageData'];
  return {
    ...(isObject(source['ClusterVolume']) ? { ClusterVolume: source['ClusterVolume'] } : {}),
    ...(text('CreatedAt') !== '' ? { CreatedAt: text('CreatedAt') } : {}),
    Driver: text('Driver'),
    Labels: map('Labels'),
    Mountpoint: text('Mountpoint'),
    Name: text('Name'),
    Options: map('Options'),
    Scope: text('Scope'),
    ...(isObject(status) && Object.keys(status).length > 0 ? { Status: status } : {}),
    ...(isObject(usage)
      ? { UsageData: { RefCount: count(usage['RefCount']), Size: count(usage['Size']) } }
      : {}),
  };
}

/** A volume's inspect JSON as docker's typed value prints in templates. */
export function typedVolume(json: unknown): unknown {
  return convert(json, VOLUME);
}

/** A network's inspect JSON as docker's typed value prints in templates. */
export function typedNetwork(json: unknown): unknown {
  return convert(json, NETWORK);
}

/** A container's inspect JSON as docker's typed value prints in templates. */
export function typedContainer(json: unknown): unknown {
  return convert(json, CONTAINER);
}
