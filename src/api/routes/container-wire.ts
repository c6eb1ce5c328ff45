import type {
  ContainerInspectResponse,
  ContainerState,
  ContainerSummary,
  EndpointConfig,
  EndpointSettings,
  ExecInspectResponse,
  MountPoint,
  NetworkSettings,
  Port,
} from '../../api-types/index.js';
import { type NetworkAttachment, portsView } from '../../network/index.js';
import type { ContainerRecord, ContainerView, ExecSession } from '../../containers/index.js';
import { containerStatusText, networksToJoin } from '../../containers/index.js';
import { configInGoOrder, hostConfigInGoOrder } from './container-wire-order.js';

function endpointSettings(
  attachment: NetworkAttachment | undefined,
  requested: EndpointConfig | undefined,
): EndpointSettings {
  const ipam = requested?.IPAMConfig;
  return {
    IPAMConfig: ipam ? { ...ipam } : null,
    Links: requested?.Links?.length ? [...requested.Links] : null,
    Aliases: requested?.Aliases?.length ? [...requested.Aliases] : null,
    MacAddress: attachment?.mac ?? '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: attachment?.networkId ?? '',
    EndpointID: attachment?.endpointId ?? '',
    Gateway: attachment?.gateway ?? '',
    IPAddress: attachment?.ip ?? '',
    IPPrefixLen: attachment?.prefix ?? 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/**
 * Docker's NetworkSettings: one entry per network (named as the network mode names it), and,
 * for the default bridge, its address also at the top level, where older scripts read it.
 */
function networkSettings(record: ContainerRecord, sandboxKey: string): NetworkSettings {
  const mode = record.hostConfig.NetworkMode ?? 'none';
  const attachments = record.state.networks ?? [];
  const networks: Record<string, EndpointSettings> = {};
  const requested = record.endpoints ?? {};
  for (const a of attachments) {
    networks[a.networkName] = endpointSettings(a, requested[a.networkName] ?? requested[mode]);
  }
  const name = mode === 'default' ? 'bridge' : mode;
  // Not running: the networks it will join. A container in another's namespace
  // (`container:<id>`) has no network of its own.
  if (attachments.length === 0 && !mode.startsWith('container:')) {
    for (const ref of networksToJoin(record, mode)) {
      networks[ref === mode ? name : ref] = endpointSettings(undefined, requested[ref]);
    }
  }
  const onBridge = attachments.find((a) => a.networkName === 'bridge');
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: sandboxKey,
    // Published and exposed ports while the container runs (dockerd shows none when stopped).
    Ports:
      record.state.pid > 0 ? portsView(record.state.ports ?? [], record.config.ExposedPorts) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: onBridge?.endpointId ?? '',
    Gateway: onBridge?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: onBridge?.ip ?? '',
    IPPrefixLen: onBridge?.prefix ?? 0,
    IPv6Gateway: '',
    MacAddress: onBridge?.mac ?? '',
    Networks: networks,
  };
}

/** `GET /containers/json` Ports: published ones, and exposed ones of a running container. */
function summaryPorts(record: ContainerRecord): Port[] {
  if (record.state.pid <= 0) return [];
  const published: Port[] = (record.state.ports ?? []).map((m) => ({
    IP: m.hostIp || '0.0.0.0',
    PrivatePort: m.containerPort,
    PublicPort: m.hostPort,
    Type: m.proto,
  }));
  const exposed: Port[] = Object.keys(record.config.ExposedPorts ?? {})
    .map((key) => {
      const [port = '', type = 'tcp'] = key.split('/');
      return { PrivatePort: Number(port), Type: type };
    })
    .filter((p) => !published.some((q) => q.PrivatePort === p.PrivatePort && q.Type === p.Type));
  return [...published, ...exposed];
}

function toState(record: ContainerRecord): ContainerState {
  const s = record.state;
  const running = s.status === 'running' || s.status === 'paused' || s.status === 'restarting';
  const state: ContainerState = {
    Status: s.status,
    Running: running,
    Paused: s.status === 'paused',
    Restarting: s.status === 'restarting',
    OOMKilled: s.oomKilled,
    Dead: s.status === 'dead',
    Pid: s.status === 'running' || s.status === 'paused' ? s.pid : 0,
    ExitCode: s.exitCode,
    Error: s.error,
    StartedAt: s.startedAt,
    FinishedAt: s.finishedAt,
  };
  if (s.health) {
    state.Health = {
      Status: s.health.status,
      FailingStreak: s.health.failingStreak,
      Log: s.health.log.map((r) => ({
        Start: r.start,
        End: r.end,
        ExitCode: r.exitCode,
        Output: r.output,
      })),
    };
  }
  return state;
}

export function toContainerInspect(view: ContainerView): ContainerInspectResponse {
  const { record, paths } = view;
  const out: ContainerInspectResponse = {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: toState(record),
    Image: record.imageId,
    ResolvConfPath: paths.resolvConf,
    HostnamePath: paths.hostname,
    HostsPath: paths.hosts,
    LogPath: view.logPath,
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: record.driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: view.execIds.length > 0 ? view.execIds : null,
    HostConfig: hostConfigInGoOrder(record.hostConfig),
    // dockerd's order (storage.DriverData): Data, then Name.
    GraphDriver: { Data: view.graphDriverData, Name: record.driver },
    Mounts: wireMounts(view),
    Config: configInGoOrder(record.config),
    NetworkSettings: networkSettings(record, view.sandboxKey),
  };
  if (view.sizeRw !== undefined) out.SizeRw = view.sizeRw;
  if (view.sizeRootFs !== undefined) out.SizeRootFs = view.sizeRootFs;
  return out;
}

/** Docker's MountPoint list: binds, volumes and `--mount` tmpfs. */
function wireMounts(view: ContainerView): MountPoint[] {
  return view.mounts.map((m) => ({
    Type: m.type,
    ...(m.name !== undefined ? { Name: m.name } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.driver !== undefined ? { Driver: m.driver } : {}),
    Mode: m.mode,
    RW: m.rw,
    Propagation: m.propagation,
  }));
}

/** Docker's COMMAND column: path and args joined, as the API sends it. */
function commandOf(record: ContainerRecord): string {
  return [record.path, ...record.args].join(' ');
}

export function toContainerSummary(view: ContainerView, now = Date.now()): ContainerSummary {
  const { record } = view;
  const summary: ContainerSummary = {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.config.Image ?? record.imageId,
    ImageID: record.imageId,
    Command: commandOf(record),
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: summaryPorts(record),
    Labels: record.config.Labels ?? {},
    State: record.state.status,
    Status: containerStatusText(record, now),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode ?? 'none' },
    NetworkSettings: { Networks: networkSettings(record, '').Networks },
    Mounts: wireMounts(view),
  };
  if (view.sizeRw !== undefined) summary.SizeRw = view.sizeRw;
  if (view.sizeRootFs !== undefined) summary.SizeRootFs = view.sizeRootFs;
  return summary;
}

export function toExecInspect(session: ExecSession): ExecInspectResponse {
  const [entrypoint = '', ...args] = session.config.Cmd ?? [];
  return {
    CanRemove: false,
    DetachKeys: session.config.DetachKeys ?? '',
    ID: session.id,
    Running: session.running,
    ExitCode: session.exitCode,
    ProcessConfig: {
      privileged: session.config.Privileged === true,
      user: session.config.User ?? '',
      tty: session.config.Tty === true,
      entrypoint,
      arguments: args,
    },
    OpenStdin: session.config.AttachStdin === true,
    OpenStderr: session.config.AttachStderr === true,
    OpenStdout: session.config.AttachStdout === true,
    ContainerID: session.containerId,
    Pid: session.pid,
  };
}
