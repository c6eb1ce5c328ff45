/**
 * `moor create` / `moor run` flags → the `POST /containers/create` body, built as the docker 28
 * CLI builds it (its containerOptions.parse): every Config and HostConfig field present, in Go's
 * order, zero values included, maps with sorted keys. Pure apart from `RunEnvironment` (the
 * files named by --env-file/--label-file/--security-opt seccomp=, the client's environment).
 *
 * Two kinds of errors, as in docker: a bad flag value is a UsageError (`invalid argument "x"
 * for "--flag" flag: ...`), an inconsistent combination an InvalidOptionError, which the
 * commands print as `moor: MESSAGE` with a hint to `--help` (both exit 125).
 */
import type {
  ContainerCreateRequest,
  HealthConfig,
  HostConfig,
  MountSpec,
  Ulimit,
} from '../api-types/index.js';
import { type ParsedFlags, flagBool, flagList, flagString } from '../core/index.js';
import {
  type PullPolicy,
  type RunEnvironment,
  InvalidOptionError,
  attachFlags,
  capabilities,
  healthcheck,
  invalid,
  listOf,
  mounts,
  numberOf,
  readKeyValueFiles,
  securityOptions,
  ulimits,
  validatePull,
} from './run-option-checks.js';
import { type DeviceOptions, deviceOptions, parseDevices } from './run-devices.js';
import { parseTmpfs, parseVolumes } from './run-mounts.js';
import { type EndpointBody, parseNetworks } from './run-network.js';
import { addExposed, parsePublish, portFields } from './run-ports.js';
import {
  isMacAddress,
  keyValueMap,
  parseGoInt,
  parseNanoCpus,
  parseRamBytes,
  parseRestartPolicy,
  sortedRecord,
  validateDnsSearch,
  validateEnv,
  validateExtraHost,
  validateIpAddress,
  validateLabel,
  validateSysctl,
} from './run-values.js';

export { type PullPolicy, type RunEnvironment, InvalidOptionError } from './run-option-checks.js';

export interface CreatePlan {
  body: ContainerCreateRequest & {
    NetworkingConfig: { EndpointsConfig: Record<string, EndpointBody> };
  };
  /** `--name`, '' for a generated one. */
  name: string;
  /** `--platform` (or DOCKER_DEFAULT_PLATFORM), '' for the daemon's. */
  platform: string;
  pull: PullPolicy;
  quiet: boolean;
  /** `--cidfile`, '' for none. */
  cidfile: string;
  /** `--use-api-socket`: the daemon's socket is bind-mounted at /var/run/docker.sock. */
  useApiSocket: boolean;
}

/**
 * The create request for `create`/`run` flags and the positional `IMAGE [COMMAND] [ARG...]`.
 * Throws UsageError or InvalidOptionError as described above.
 */
export function buildCreatePlan(
  flags: ParsedFlags,
  args: readonly string[],
  env: RunEnvironment,
): CreatePlan {
  const pull = validatePull(flagString(flags, 'pull') ?? 'missing');
  // Flag values first: docker checks them while parsing the command line.
  const envValues = listOf(flags, 'env', (v) => validateEnv(v, env.lookupEnv));
  const labelValues = listOf(flags, 'label', validateLabel);
  const extraHosts = listOf(flags, 'add-host', validateExtraHost);
  const dns = listOf(flags, 'dns', validateIpAddress);
  const dnsSearch = listOf(flags, 'dns-search', validateDnsSearch);
  const sysctls = listOf(flags, 'sysctl', validateSysctl);
  const attach = attachFlags(flags);
  const memory = numberOf(flags, 'memory', parseRamBytes);
  const memoryReservation = numberOf(flags, 'memory-reservation', parseRamBytes);
  const memorySwap = numberOf(flags, 'memory-swap', (t) => (t === '-1' ? -1 : parseRamBytes(t)));
  const shmSize = numberOf(flags, 'shm-size', parseRamBytes);
  const nanoCpus = numberOf(flags, 'cpus', parseNanoCpus);
  const int = (name: string, fallback = 0) => numberOf(flags, name, parseGoInt, fallback);
  const swappiness = int('memory-swappiness', -1);
  const stopTimeout = int('stop-timeout');
  const limits = ulimits(flags);
  const mountList = mounts(flags, env.cwd);
  const health = healthcheck(flags);
  const devices = deviceOptions(
    (name, check) => listOf(flags, name, check),
    (name, parse) => numberOf(flags, name, parse),
  );
  numberOf(flags, 'kernel-memory', parseRamBytes); // checked, but no longer sent (API 1.42)
  if (flags.given.has('disable-content-trust') && !flagBool(flags, 'disable-content-trust')) {
    throw new InvalidOptionError('content trust (image signature verification) is not supported');
  }
  try {
    return {
      body: createBody(flags, args, env, {
        envValues,
        labelValues,
        extraHosts,
        dns,
        dnsSearch,
        sysctls,
        attach,
        health,
        devices,
        limits,
        mountList,
        resources: {
          memory,
          memoryReservation,
          memorySwap,
          shmSize,
          nanoCpus,
          swappiness,
          stopTimeout,
        },
      }),
      name: flagString(flags, 'name') ?? '',
      platform: flagString(flags, 'platform') ?? env.lookupEnv('DOCKER_DEFAULT_PLATFORM') ?? '',
      pull,
      quiet: flagBool(flags, 'quiet'),
      cidfile: flagString(flags, 'cidfile') ?? '',
      useApiSocket: flagBool(flags, 'use-api-socket'),
    };
  } catch (err) {
    throw invalid(err);
  }
}

interface Checked {
  envValues: string[];
  labelValues: string[];
  extraHosts: string[];
  dns: string[];
  dnsSearch: string[];
  sysctls: string[];
  attach: { stdin: boolean; stdout: boolean; stderr: boolean };
  health: HealthConfig | undefined;
  devices: DeviceOptions;
  limits: Ulimit[];
  mountList: MountSpec[] | undefined;
  resources: Record<
    | 'memory'
    | 'memoryReservation'
    | 'memorySwap'
    | 'shmSize'
    | 'nanoCpus'
    | 'swappiness'
    | 'stopTimeout',
    number
  >;
}

function createBody(
  flags: ParsedFlags,
  args: readonly string[],
  env: RunEnvironment,
  c: Checked,
): CreatePlan['body'] {
  const str = (name: string) => flagString(flags, name) ?? '';
  const list = (name: string) => flagList(flags, name);
  const int = (name: string) => numberOf(flags, name, parseGoInt);
  const macAddress = str('mac-address');
  if (macAddress !== '' && !isMacAddress(macAddress)) {
    throw new InvalidOptionError(`${macAddress} is not a valid mac address`);
  }
  const { swappiness } = c.resources;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new InvalidOptionError(
      `invalid value: ${swappiness}. Valid memory swappiness range is 0-100`,
    );
  }
  const volumes = parseVolumes(list('volume'), env.cwd);
  const tmpfs = parseTmpfs(list('tmpfs'));
  const entrypoint = flags.given.has('entrypoint') ? [str('entrypoint')] : null;
  const ports = parsePublish(list('publish'));
  addExposed(ports.exposed, list('expose'));
  const { ExposedPorts, PortBindings } = portFields(ports);
  const envList = [...readKeyValueFiles(env, list('env-file'), env.lookupEnv), ...c.envValues];
  const labels = keyValueMap([...readKeyValueFiles(env, list('label-file')), ...c.labelValues]);
  const restart = parseRestartPolicy(str('restart'));
  const logDriver = str('log-driver');
  const logOpts = list('log-opt');
  if (logDriver === 'none' && logOpts.length > 0) {
    throw new InvalidOptionError(`invalid logging opts for driver ${logDriver}`);
  }
  const security = securityOptions(list('security-opt'), env);
  const storage = new Map<string, string>();
  for (const option of list('storage-opt')) {
    const eq = option.indexOf('=');
    if (eq === -1) throw new InvalidOptionError('invalid storage option');
    storage.set(option.slice(0, eq), option.slice(eq + 1));
  }
  const autoRemove = flagBool(flags, 'rm');
  if (autoRemove && restart.Name !== '' && restart.Name !== 'no') {
    throw new InvalidOptionError('conflicting options: cannot specify both --restart and --rm');
  }
  const network = parseNetworks({
    networks: [...list('net'), ...list('network')],
    aliases: [...list('net-alias'), ...list('network-alias')],
    links: list('link'),
    ip: str('ip'),
    ip6: str('ip6'),
    macAddress,
    linkLocalIps: list('link-local-ip'),
  });
  const tty = flagBool(flags, 'tty');
  const openStdin = flagBool(flags, 'interactive');
  const annotations = keyValueMap(list('annotation'));
  const sysctls = keyValueMap(c.sysctls);
  const hostConfig: HostConfig & Record<string, unknown> = {
    Binds: volumes.binds.length > 0 ? volumes.binds : null,
    ContainerIDFile: str('cidfile'),
    LogConfig: { Type: logDriver, Config: keyValueMap(logOpts) },
    NetworkMode: network.networkMode,
    PortBindings,
    RestartPolicy: restart,
    AutoRemove: autoRemove,
    VolumeDriver: str('volume-driver'),
    VolumesFrom: list('volumes-from').length > 0 ? list('volumes-from') : null,
    ConsoleSize: env.consoleSize,
    Annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    CapAdd: capabilities(list('cap-add')),
    CapDrop: capabilities(list('cap-drop')),
    CgroupnsMode: str('cgroupns'),
    Dns: c.dns,
    DnsOptions: [...list('dns-opt'), ...list('dns-option')],
    DnsSearch: c.dnsSearch,
    ExtraHosts: c.extraHosts.length > 0 ? c.extraHosts : null,
    GroupAdd: list('group-add').length > 0 ? list('group-add') : null,
    IpcMode: str('ipc'),
    Cgroup: '',
    Links: list('link').length > 0 ? list('link') : null,
    OomScoreAdj: int('oom-score-adj'),
    PidMode: str('pid'),
    Privileged: flagBool(flags, 'privileged'),
    PublishAllPorts: flagBool(flags, 'publish-all'),
    ReadonlyRootfs: flagBool(flags, 'read-only'),
    SecurityOpt: security.securityOpt,
    StorageOpt: storage.size > 0 ? sortedRecord(storage) : undefined,
    Tmpfs: tmpfs,
    UTSMode: str('uts'),
    UsernsMode: str('userns'),
    ShmSize: c.resources.shmSize,
    Sysctls: Object.keys(sysctls).length > 0 ? sysctls : undefined,
    Runtime: str('runtime') || undefined,
    Isolation: str('isolation'),
    CpuShares: int('cpu-shares'),
    Memory: c.resources.memory,
    NanoCpus: c.resources.nanoCpus,
    CgroupParent: str('cgroup-parent'),
    BlkioWeight: c.devices.BlkioWeight,
    BlkioWeightDevice: c.devices.BlkioWeightDevice,
    BlkioDeviceReadBps: c.devices.BlkioDeviceReadBps,
    BlkioDeviceWriteBps: c.devices.BlkioDeviceWriteBps,
    BlkioDeviceReadIOps: c.devices.BlkioDeviceReadIOps,
    BlkioDeviceWriteIOps: c.devices.BlkioDeviceWriteIOps,
    CpuPeriod: int('cpu-period'),
    CpuQuota: int('cpu-quota'),
    CpuRealtimePeriod: c.devices.CpuRealtimePeriod,
    CpuRealtimeRuntime: c.devices.CpuRealtimeRuntime,
    CpusetCpus: str('cpuset-cpus'),
    CpusetMems: str('cpuset-mems'),
    Devices: parseDevices(list('device')),
    DeviceCgroupRules: c.devices.DeviceCgroupRules,
    DeviceRequests: c.devices.DeviceRequests,
    MemoryReservation: c.resources.memoryReservation,
    MemorySwap: c.resources.memorySwap,
    MemorySwappiness: swappiness,
    OomKillDisable: flagBool(flags, 'oom-kill-disable'),
    PidsLimit: int('pids-limit'),
    Ulimits: c.limits,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    Mounts: c.mountList,
    MaskedPaths: security.masked,
    ReadonlyPaths: security.readonly,
    Init: flags.given.has('init') ? flagBool(flags, 'init') : undefined,
  };
  return {
    Hostname: str('hostname'),
    Domainname: str('domainname'),
    User: str('user'),
    AttachStdin: c.attach.stdin,
    AttachStdout: c.attach.stdout,
    AttachStderr: c.attach.stderr,
    ExposedPorts,
    Tty: tty,
    OpenStdin: openStdin,
    StdinOnce: openStdin && c.attach.stdin,
    Env: envList.length > 0 ? envList : null,
    Cmd: args.length > 1 ? args.slice(1) : null,
    Healthcheck: c.health,
    Image: args[0] ?? '',
    Volumes: volumes.volumes,
    WorkingDir: str('workdir'),
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: labels,
    StopSignal: str('stop-signal') || undefined,
    StopTimeout: flags.given.has('stop-timeout') ? c.resources.stopTimeout : undefined,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: network.endpoints },
  };
}

/** `run -d`: nothing is attached (docker's runContainer clears the attach fields). */
export function detachBody(body: ContainerCreateRequest): void {
  body.AttachStdin = false;
  body.AttachStdout = false;
  body.AttachStderr = false;
  body.StdinOnce = false;
}
