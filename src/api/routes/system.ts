import type { SystemInfo, SystemVersion } from '../../api-types/index.js';
import { API_VERSION, MIN_API_VERSION } from '../../core/index.js';
import type { EngineInfo, EngineVersion, ToolVersion } from '../../system/index.js';
import type { RequestContext, Route } from '../router.js';
import { compareApiVersions } from '../version.js';

/** What the system routes need from the daemon. */
export interface SystemBackend {
  info(): Promise<EngineInfo>;
  version(): Promise<EngineVersion>;
}

function ping(ctx: RequestContext): void {
  ctx.res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': '2',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    Swarm: 'inactive',
    'Builder-Version': '1',
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

/** A helper binary as a `docker version` component, as dockerd lists runc and docker-init. */
function toolComponent(name: string, tool: ToolVersion | undefined) {
  return tool ? [{ Name: name, Version: tool.version, Details: { GitCommit: tool.commit } }] : [];
}

export function toWireVersion(v: EngineVersion): SystemVersion {
  return {
    Platform: { Name: 'moor Engine' },
    Components: [
      {
        Name: 'Engine',
        Version: v.version,
        Details: {
          ApiVersion: API_VERSION,
          Arch: v.arch,
          BuildTime: '',
          Experimental: 'false',
          GitCommit: '',
          GoVersion: v.runtimeVersion,
          KernelVersion: v.kernelVersion,
          MinAPIVersion: MIN_API_VERSION,
          Os: v.os,
        },
      },
      ...toolComponent('runc', v.tools.runtime),
      ...toolComponent('docker-init', v.tools.init),
    ],
    Version: v.version,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: v.runtimeVersion,
    Os: v.os,
    Arch: v.arch,
    KernelVersion: v.kernelVersion,
    BuildTime: '',
  };
}

/** API 1.50 dropped BridgeNfIptables/BridgeNfIp6tables from /info; older clients still get them. */
export function toWireInfo(info: EngineInfo, apiVersion: string): SystemInfo {
  const caps = info.cgroupCapabilities;
  const { containers } = info.inventory;
  const insecure = info.insecureRegistries;
  const wire: SystemInfo = {
    ID: info.id,
    Containers: containers.running + containers.paused + containers.stopped,
    ContainersRunning: containers.running,
    ContainersPaused: containers.paused,
    ContainersStopped: containers.stopped,
    Images: info.inventory.images,
    Driver: info.storageDriver,
    DriverStatus: [],
    DockerRootDir: info.dataRoot,
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'null'],
      Authorization: [],
      Log: ['json-file', 'local', 'none'],
    },
    MemoryLimit: caps.memoryLimit,
    SwapLimit: caps.swapLimit,
    CpuCfsPeriod: caps.cpuCfsPeriod,
    CpuCfsQuota: caps.cpuCfsQuota,
    CPUShares: caps.cpuShares,
    CPUSet: caps.cpuSet,
    PidsLimit: caps.pidsLimit,
    OomKillDisable: caps.oomKillDisable,
    IPv4Forwarding: info.ipv4Forwarding,
    BridgeNfIptables: info.bridgeNfIptables,
    BridgeNfIp6tables: info.bridgeNfIp6tables,
    Debug: info.debug,
    NFd: info.openFds,
    NGoroutines: 0,
    SystemTime: info.systemTime.toISOString(),
    LoggingDriver: info.loggingDriver,
    CgroupDriver: 'cgroupfs',
    CgroupVersion: info.cgroupVersion === 2 ? '2' : '1',
    NEventsListener: info.eventListeners,
    KernelVersion: info.kernelVersion,
    OperatingSystem: info.os.name,
    OSVersion: info.os.version,
    OSType: 'linux',
    Architecture: info.architecture,
    NCPU: info.ncpu,
    MemTotal: info.memTotal,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      InsecureRegistryCIDRs: insecure.filter((r) => r.includes('/')),
      IndexConfigs: {
        'docker.io': {
          Name: 'docker.io',
          Mirrors: info.registryMirrors,
          Secure: true,
          Official: true,
        },
        ...Object.fromEntries(
          insecure
            .filter((r) => !r.includes('/'))
            .map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }]),
        ),
      },
      Mirrors: info.registryMirrors,
    },
    GenericResources: [],
    HttpProxy: process.env['HTTP_PROXY'] ?? process.env['http_proxy'] ?? '',
    HttpsProxy: process.env['HTTPS_PROXY'] ?? process.env['https_proxy'] ?? '',
    NoProxy: process.env['NO_PROXY'] ?? process.env['no_proxy'] ?? '',
    Name: info.name,
    Labels: info.labels,
    ExperimentalBuild: false,
    ServerVersion: info.serverVersion,
    Runtimes: Object.fromEntries(
      Object.entries(info.runtimes).map(([name, r]) => [
        name,
        r.args ? { path: r.path, runtimeArgs: r.args } : { path: r.path },
      ]),
    ),
    DefaultRuntime: info.defaultRuntime,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: info.tools.init?.binary ?? '',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: info.tools.runtime?.commit ?? '' },
    InitCommit: { ID: info.tools.init?.commit ?? '' },
    SecurityOptions: info.cgroupVersion === 2 ? ['name=cgroupns'] : [],
    Warnings: info.warnings,
    CDISpecDirs: [],
  };
  if (compareApiVersions(apiVersion, '1.50') >= 0) {
    delete wire.BridgeNfIptables;
    delete wire.BridgeNfIp6tables;
  }
  return wire;
}

export function systemRoutes(backend: SystemBackend): Route[] {
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    {
      method: 'GET',
      path: '/version',
      handler: async () => ({ status: 200, body: toWireVersion(await backend.version()) }),
    },
    {
      method: 'GET',
      path: '/info',
      handler: async (ctx) => ({
        status: 200,
        body: toWireInfo(await backend.info(), ctx.apiVersion),
      }),
    },
  ];
}
