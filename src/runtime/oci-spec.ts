/**
 * The part of the OCI runtime specification (config.json, v1.0.2) moor writes: field names are
 * the spec's. Only Linux is described. Numbers are JSON numbers except rlimits, whose
 * "unlimited" value (2^64-1) JSON numbers in JavaScript cannot hold: write specs with
 * `serializeRuntimeSpec`, which keeps it exact.
 */
export const OCI_VERSION = '1.0.2';

/** RLIM_INFINITY: an rlimit value of -1 in Docker's API. */
export const RLIM_INFINITY = 18446744073709551615n;

export interface OciUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface OciRlimit {
  /** `RLIMIT_NOFILE`, ... */
  type: string;
  /** A number, or RLIM_INFINITY. */
  soft: number | bigint;
  hard: number | bigint;
}

export interface OciProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: OciUser;
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface OciRoot {
  path: string;
  readonly?: boolean;
}

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' */
export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface OciNamespace {
  type: OciNamespaceType;
  /** Joins the namespace at this path instead of creating one. */
  path?: string;
}

export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** A device node the runtime creates in the container. */
export interface OciDevice {
  /** 'c' | 'b' | 'u' | 'p' */
  type: string;
  path: string;
  major?: number;
  minor?: number;
  /** Permission bits only (0o666). */
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** A device cgroup rule; `major`/`minor` absent (or -1) mean any. */
export interface OciDeviceRule {
  allow: boolean;
  /** 'a' | 'c' | 'b'; absent means all. */
  type?: string;
  major?: number;
  minor?: number;
  /** Any of 'r', 'w', 'm'. */
  access?: string;
}

export interface OciMemory {
  limit?: number;
  reservation?: number;
  /** Memory plus swap, as cgroup v1's memsw (runc converts for v2). -1 = unlimited. */
  swap?: number;
  kernel?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
}

export interface OciCpu {
  shares?: number;
  quota?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
}

export interface OciBlockDevice {
  major: number;
  minor: number;
}

export interface OciWeightDevice extends OciBlockDevice {
  weight?: number;
  leafWeight?: number;
}

export interface OciThrottleDevice extends OciBlockDevice {
  rate: number;
}

export interface OciBlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: OciWeightDevice[];
  throttleReadBpsDevice?: OciThrottleDevice[];
  throttleWriteBpsDevice?: OciThrottleDevice[];
  throttleReadIOPSDevice?: OciThrottleDevice[];
  throttleWriteIOPSDevice?: OciThrottleDevice[];
}

export interface OciResources {
  devices?: OciDeviceRule[];
  memory?: OciMemory;
  cpu?: OciCpu;
  pids?: { limit: number };
  blockIO?: OciBlockIO;
}

export interface OciLinux {
  uidMappings?: OciIdMapping[];
  gidMappings?: OciIdMapping[];
  sysctl?: Record<string, string>;
  resources?: OciResources;
  cgroupsPath?: string;
  namespaces: OciNamespace[];
  devices?: OciDevice[];
  rootfsPropagation?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
}

export interface RuntimeSpec {
  ociVersion: string;
  process: OciProcess;
  root: OciRoot;
  hostname?: string;
  domainname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
}

const BIGINT_MARK = '\u0000bigint:';

/**
 * config.json text for a spec: JSON, with bigint values (RLIM_INFINITY) written as exact
 * integers. `JSON.stringify` would throw on them.
 */
export function serializeRuntimeSpec(spec: RuntimeSpec, indent?: number): string {
  const text = JSON.stringify(
    spec,
    (_key, value: unknown) => (typeof value === 'bigint' ? `${BIGINT_MARK}${value}` : value),
    indent,
  );
  return text.replace(/"\\u0000bigint:(\d+)"/g, '$1');
}
