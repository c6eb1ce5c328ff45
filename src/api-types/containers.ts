/**
 * Docker Engine API wire types for containers and exec (swagger v1.51 `ContainerConfig`,
 * `HostConfig`, `ContainerState`, `ContainerInspectResponse`, `ContainerSummary`, exec bodies).
 * Fields a client may leave out are optional; what moord answers always sets them.
 */
export interface HealthConfig {
  /** `[]` inherit, `["NONE"]` disable, `["CMD", ...]`, `["CMD-SHELL", "..."]`. */
  Test?: string[];
  /** Nanoseconds; 0 = inherit. */
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  Shell?: string[] | null;
}

export interface RestartPolicy {
  /** '' | 'no' | 'always' | 'unless-stopped' | 'on-failure' */
  Name?: string;
  MaximumRetryCount?: number;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface LogConfig {
  Type?: string;
  Config?: Record<string, string>;
}

export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface Resources {
  CpuShares?: number;
  Memory?: number;
  CgroupParent?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: Array<{ Path: string; Weight: number }> | null;
  BlkioDeviceReadBps?: ThrottleDevice[] | null;
  BlkioDeviceWriteBps?: ThrottleDevice[] | null;
  BlkioDeviceReadIOps?: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps?: ThrottleDevice[] | null;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Devices?: DeviceMapping[] | null;
  DeviceCgroupRules?: string[] | null;
  DeviceRequests?: unknown[] | null;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  NanoCpus?: number;
  OomKillDisable?: boolean | null;
  Init?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
}

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export interface MountSpec {
  Target?: string;
  Source?: string;
  Type?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: Record<string, unknown>;
  VolumeOptions?: Record<string, unknown>;
  TmpfsOptions?: Record<string, unknown>;
}

export interface HostConfig extends Resources {
  Binds?: string[] | null;
  ContainerIDFile?: string;
  LogConfig?: LogConfig;
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[] | null> | null;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumeDriver?: string;
  VolumesFrom?: string[] | null;
  Mounts?: MountSpec[] | null;
  ConsoleSize?: [number, number] | null;
  Annotations?: Record<string, string> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  CgroupnsMode?: string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  IpcMode?: string;
  Cgroup?: string;
  Links?: string[] | null;
  OomScoreAdj?: number;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  StorageOpt?: Record<string, string> | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  UsernsMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  Isolation?: string;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
}

export interface ContainerCreateRequest extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointConfig | null> | null };
}

/** What a client asks of a container's place on one network (create, connect). */
export interface EndpointConfig {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[];
}

/** The swagger's IDResponse: `POST /commit`'s answer (the new image's id). */
export interface IDResponse {
  Id: string;
}

export interface HealthcheckResult {
  /** RFC 3339 with nanoseconds. */
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface Health {
  /** 'none' | 'starting' | 'healthy' | 'unhealthy' */
  Status: string;
  FailingStreak: number;
  Log: HealthcheckResult[];
}

export interface ContainerState {
  /** 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' */
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: Health;
}

export interface MountPoint {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface EndpointSettings {
  IPAMConfig?: unknown;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress: string;
  DriverOpts?: Record<string, string> | null;
  /** API 1.48: the gateway priority of this endpoint. */
  GwPriority?: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames?: string[] | null;
}

export interface NetworkSettings {
  Bridge: string;
  SandboxID: string;
  SandboxKey: string;
  Ports: Record<string, PortBinding[] | null>;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  SecondaryIPAddresses: null;
  SecondaryIPv6Addresses: null;
  EndpointID: string;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
  Networks: Record<string, EndpointSettings>;
}

export interface ContainerInspectResponse {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  ExecIDs: string[] | null;
  HostConfig: HostConfig;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts: MountPoint[];
  Config: ContainerConfig;
  NetworkSettings: NetworkSettings;
}

export interface Port {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  /** Unix seconds. */
  Created: number;
  Ports: Port[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string; Annotations?: Record<string, string> };
  NetworkSettings: { Networks: Record<string, EndpointSettings> };
  Mounts: MountPoint[];
}

export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

export interface FilesystemChange {
  Path: string;
  /** 0 modified, 1 added, 2 deleted. */
  Kind: 0 | 1 | 2;
}

/** The `X-Docker-Container-Path-Stat` header (base64 JSON). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (type bits above the permission bits). */
  mode: number;
  /** RFC 3339. */
  mtime: string;
  linkTarget: string;
}

export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ConsoleSize?: [number, number] | null;
  DetachKeys?: string;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface ExecStartConfig {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

export interface ExecInspectResponse {
  CanRemove: boolean;
  DetachKeys: string;
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ProcessConfig: {
    privileged: boolean;
    user: string;
    tty: boolean;
    entrypoint: string;
    arguments: string[];
  };
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  ContainerID: string;
  Pid: number;
}

export interface ContainerPruneResponse {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** `POST /containers/{id}/update` (docker update): resources and the restart policy. */
export interface ContainerUpdateRequest extends Resources {
  RestartPolicy?: RestartPolicy;
}
