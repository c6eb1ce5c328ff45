import type { ContainerConfig, HostConfig, Ulimit } from '../api-types/index.js';
import { invalidArgument } from '../core/index.js';
import { containerCapabilities } from './capabilities.js';
import type {
  OciLinux,
  OciMount,
  OciNamespace,
  OciNamespaceType,
  OciProcess,
  RuntimeSpec,
} from './oci-spec.js';
import { OCI_VERSION } from './oci-spec.js';
import {
  DEFAULT_MASKED_PATHS,
  DEFAULT_NETWORK_SYSCTLS,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
  IN_CONTAINER_INIT_PATH,
  defaultDevices,
} from './spec-defaults.js';
import { type EtcFiles, assembleMounts, etcFileMounts, tmpfsMounts } from './spec-mounts.js';
import {
  type BlockDeviceNumbers,
  type DeviceSpec,
  buildResources,
  deviceAccess,
} from './spec-resources.js';
import {
  type SecurityOptions,
  buildRlimits,
  parseSecurityOpts,
  validateOomScoreAdj,
  validateSysctls,
} from './spec-security.js';
import type { ResolvedUser } from './user-lookup.js';

/** How the container gets a namespace: a new one, the host's, or one at a path (joined). */
export type NamespaceSource =
  | { kind: 'new' }
  | { kind: 'host' }
  /** `joined`: the namespace belongs to another container (`container:NAME` modes). */
  | { kind: 'path'; path: string; joined?: boolean };

/** Everything `buildRuntimeSpec` needs; all host lookups are done by the caller. */
export interface SpecInput {
  id: string;
  /** Absolute path of the mounted rootfs (with `rootfsMount`: the directory it is mounted on). */
  rootfs: string;
  /**
   * A file system the runtime mounts on the rootfs inside the container's mount namespace
   * (the overlay of the container's layers): it exists only as long as the container does.
   */
  rootfsMount?: { type: string; source: string; options: string[] };
  /** Entrypoint + Cmd, resolved. */
  args: string[];
  /** Final env (see buildProcessEnv): PATH, HOSTNAME, HOME... */
  env: string[];
  /** Working directory; '' → `/`. */
  cwd: string;
  user: Pick<ResolvedUser, 'uid' | 'gid' | 'additionalGids'>;
  hostname: string;
  domainname: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** cgroupfs path, e.g. `/moor/<id>`. */
  cgroupsPath: string;
  cgroupVersion: 1 | 2;
  networkNamespace: NamespaceSource;
  /** Required for PidMode `container:X`; otherwise derived from PidMode. */
  pidNamespace?: NamespaceSource;
  /** Required for IpcMode `container:X`; otherwise derived from IpcMode. */
  ipcNamespace?: NamespaceSource;
  /** Host files for /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  files: EtcFiles;
  /** Host directory bind-mounted at /dev/shm (shareable or joined IPC) instead of a tmpfs. */
  shmPath?: string;
  /** Host path of the init binary (`--init`): args become [/sbin/docker-init, --, ...args]. */
  initPath?: string;
  /** Resolved binds and volumes (HostConfig.Binds/Mounts), in any order. */
  mounts?: OciMount[];
  /** HostConfig.Devices resolved on the host (stat); one entry per device node. */
  devices?: DeviceSpec[];
  /** Every device of the host, for privileged containers. */
  hostDevices?: DeviceSpec[];
  /** Device numbers of the block devices the blkio settings name. */
  blockDevices?: BlockDeviceNumbers;
  /** Host hard rlimits by `RLIMIT_*` name: ulimits above them are refused. */
  hostRlimitHard?: Record<string, number | bigint>;
  /** Daemon `default-ulimits`. */
  defaultUlimits?: Ulimit[];
  /** Daemon `no-new-privileges` default. */
  noNewPrivileges?: boolean;
  /** The host has AppArmor: `apparmor=PROFILE` is passed to the runtime. */
  appArmor?: boolean;
  /**
   * Capabilities the daemon may grant (its bounding set; capabilitiesFromMask of CapBnd):
   * what privileged containers get. Default: ALL_CAPABILITIES.
   */
  availableCapabilities?: readonly string[];
  /** More paths to mask (Docker masks each CPU's thermal_throttle directory that exists). */
  extraMaskedPaths?: string[];
}

type Mode = 'pid' | 'ipc' | 'uts' | 'cgroupns';

function invalidMode(kind: Mode, value: string): Error {
  const what = {
    pid: 'PID mode',
    ipc: 'IPC mode',
    uts: 'UTS mode',
    cgroupns: 'cgroup namespace mode',
  };
  return invalidArgument(`invalid ${what[kind]}: ${value}`);
}

function sourceOfMode(
  kind: 'pid' | 'ipc',
  mode: string,
  given: NamespaceSource | undefined,
): NamespaceSource {
  const valid = kind === 'pid' ? ['', 'host'] : ['', 'host', 'none', 'private', 'shareable'];
  if (mode.startsWith('container:') && mode.length > 'container:'.length) {
    if (given?.kind !== 'path') {
      throw invalidArgument(`${kind} mode ${mode}: the joined namespace's path is required`);
    }
    return given;
  }
  if (!valid.includes(mode)) throw invalidMode(kind, mode);
  return given ?? (mode === 'host' ? { kind: 'host' } : { kind: 'new' });
}

function namespace(type: OciNamespaceType, source: NamespaceSource): OciNamespace[] {
  if (source.kind === 'host') return [];
  return source.kind === 'path' ? [{ type, path: source.path }] : [{ type }];
}

/** Namespaces in Docker's order: mount, network, uts, pid, ipc, then cgroup. */
function namespacesOf(
  input: SpecInput,
  pid: NamespaceSource,
  ipc: NamespaceSource,
): OciNamespace[] {
  const hc = input.hostConfig;
  const uts = hc.UTSMode ?? '';
  if (uts !== '' && uts !== 'host') throw invalidMode('uts', uts);
  const cgroupns = hc.CgroupnsMode ?? '';
  if (!['', 'private', 'host'].includes(cgroupns)) throw invalidMode('cgroupns', cgroupns);
  const privateCgroupns = cgroupns === 'private' || (cgroupns === '' && input.cgroupVersion === 2);
  const network: NamespaceSource = input.config.NetworkDisabled
    ? { kind: 'new' }
    : input.networkNamespace;
  return [
    { type: 'mount' },
    ...namespace('network', network),
    ...(uts === 'host' ? [] : [{ type: 'uts' as const }]),
    ...namespace('pid', pid),
    ...namespace('ipc', ipc),
    ...(privateCgroupns ? [{ type: 'cgroup' as const }] : []),
  ];
}

function processOf(input: SpecInput, security: SecurityOptions, withInit: boolean): OciProcess {
  const hc = input.hostConfig;
  const caps = containerCapabilities({
    capAdd: hc.CapAdd,
    capDrop: hc.CapDrop,
    privileged: hc.Privileged === true,
    ...(input.availableCapabilities ? { available: input.availableCapabilities } : {}),
  });
  const oomScoreAdj = hc.OomScoreAdj ?? 0;
  validateOomScoreAdj(oomScoreAdj);
  const process: OciProcess = {
    terminal: input.config.Tty === true,
    user: {
      uid: input.user.uid,
      gid: input.user.gid,
      additionalGids: [...input.user.additionalGids],
    },
    args: withInit ? [IN_CONTAINER_INIT_PATH, '--', ...input.args] : [...input.args],
    env: [...input.env],
    cwd: input.cwd || '/',
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
    rlimits: buildRlimits(hc.Ulimits ?? [], input.defaultUlimits, input.hostRlimitHard),
    oomScoreAdj,
  };
  if (process.terminal && hc.ConsoleSize && (hc.ConsoleSize[0] > 0 || hc.ConsoleSize[1] > 0)) {
    process.consoleSize = { height: hc.ConsoleSize[0], width: hc.ConsoleSize[1] };
  }
  if (security.noNewPrivileges) process.noNewPrivileges = true;
  const profile = security.appArmorProfile;
  if (input.appArmor && profile !== undefined && profile !== '') {
    process.apparmorProfile = profile;
  }
  return process;
}

function sysctlsOf(
  input: SpecInput,
  namespaces: OciNamespace[],
  uts: boolean,
): Record<string, string> {
  const own = new Set(namespaces.map((n) => n.type));
  const net = input.networkNamespace;
  const sysctls: Record<string, string> = {};
  const ownNetwork = net.kind === 'new' || (net.kind === 'path' && !net.joined);
  if (ownNetwork && !input.config.NetworkDisabled) Object.assign(sysctls, DEFAULT_NETWORK_SYSCTLS);
  if (uts && input.domainname) sysctls['kernel.domainname'] = input.domainname;
  const requested = input.hostConfig.Sysctls ?? {};
  validateSysctls(requested, { own, hostNetwork: !own.has('network') });
  return { ...sysctls, ...requested };
}

function userMountsOf(input: SpecInput, readonlyRootfs: boolean, noShm: boolean): OciMount[] {
  const user = [...(input.mounts ?? []), ...tmpfsMounts(input.hostConfig.Tmpfs ?? {})];
  // A user mount on /etc/hosts (...) replaces the engine's file there.
  const mine = new Set(user.map((m) => m.destination));
  const mounts = [
    ...user,
    ...etcFileMounts(input.files, readonlyRootfs).filter((m) => !mine.has(m.destination)),
  ];
  const taken = new Set(mounts.map((m) => m.destination));
  if (input.shmPath && !noShm && !taken.has('/dev/shm')) {
    mounts.push({
      destination: '/dev/shm',
      type: 'bind',
      source: input.shmPath,
      options: ['rbind', 'rprivate'],
    });
  }
  return mounts;
}

function linuxOf(input: SpecInput, namespaces: OciNamespace[], uts: boolean): OciLinux {
  const hc = input.hostConfig;
  const privileged = hc.Privileged === true;
  const access = deviceAccess({
    privileged,
    mapped: input.devices ?? [],
    cgroupRules: hc.DeviceCgroupRules ?? [],
    hostDevices: input.hostDevices ?? [],
  });
  const taken = new Set(access.devices.map((d) => d.path));
  const linux: OciLinux = {
    namespaces,
    devices: [...defaultDevices().filter((d) => !taken.has(d.path)), ...access.devices],
    resources: { devices: access.rules, ...buildResources(hc, input.blockDevices) },
    cgroupsPath: input.cgroupsPath,
    sysctl: sysctlsOf(input, namespaces, uts),
  };
  const masked = privileged ? [] : [...DEFAULT_MASKED_PATHS, ...(input.extraMaskedPaths ?? [])];
  const readonly = privileged ? [] : [...DEFAULT_READONLY_PATHS];
  linux.maskedPaths = hc.MaskedPaths ? [...hc.MaskedPaths] : masked;
  linux.readonlyPaths = hc.ReadonlyPaths ? [...hc.ReadonlyPaths] : readonly;
  return linux;
}

/**
 * The OCI runtime config Docker would give runc for this container (pure). Throws
 * InvalidArgument with Docker's (or runc's) words for what either would refuse: unknown
 * capabilities, security options, sysctls outside the container's namespaces, bad ulimits,
 * invalid namespace modes, tmpfs options or device cgroup rules. Not applied yet: seccomp
 * profiles (Docker's default profile included), SELinux labels, user namespaces.
 */
export function buildRuntimeSpec(input: SpecInput): RuntimeSpec {
  const hc = input.hostConfig;
  const security = parseSecurityOpts(hc.SecurityOpt ?? [], {
    noNewPrivileges: input.noNewPrivileges,
  });
  const pid = sourceOfMode('pid', hc.PidMode ?? '', input.pidNamespace);
  const ipcMode = hc.IpcMode ?? '';
  const ipc = sourceOfMode('ipc', ipcMode, input.ipcNamespace);
  const namespaces = namespacesOf(input, pid, ipc);
  const uts = namespaces.some((n) => n.type === 'uts');
  // Docker adds its init only in a private PID namespace.
  const withInit = Boolean(input.initPath) && pid.kind === 'new';
  const privileged = hc.Privileged === true;
  const readonlyRootfs = hc.ReadonlyRootfs === true;
  const noShm = ipcMode === 'none';
  const spec: RuntimeSpec = {
    ociVersion: OCI_VERSION,
    process: processOf(input, security, withInit),
    root: { path: input.rootfs, readonly: readonlyRootfs },
    hostname: uts ? input.hostname : '',
    mounts: [
      ...(input.rootfsMount ? [{ destination: '/', ...input.rootfsMount }] : []),
      ...assembleMounts({
        shmSize: hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE,
        userMounts: userMountsOf(input, readonlyRootfs, noShm),
        ...(withInit && input.initPath ? { initPath: input.initPath } : {}),
        noShm,
        readonlyRootfs,
        privileged,
        writableCgroups: security.writableCgroups ?? privileged,
      }),
    ],
    linux: linuxOf(input, namespaces, uts),
  };
  if (uts && input.domainname) spec.domainname = input.domainname;
  if (hc.Annotations && Object.keys(hc.Annotations).length > 0) {
    spec.annotations = { ...hc.Annotations };
  }
  return spec;
}
