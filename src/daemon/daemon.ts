import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import {
  commitRoutes,
  containerFileRoutes,
  containerRoutes,
  containerStreamRoutes,
  createApiHandler,
  imageRoutes,
  networkRoutes,
  volumeRoutes,
  containerStatsRoutes,
  authRoutes,
  buildRoutes,
  eventRoutes,
  storeCheckRoutes,
  systemDfRoutes,
  systemRoutes,
} from '../api/index.js';
import {
  type ContainerService,
  bindContainerService,
  hostNameservers,
  openContainers,
} from '../containers/index.js';
import {
  DEFAULT_UNIX_SOCKET,
  type Logger,
  errorMessage,
  hasErrno,
  parseHostAddress,
  unavailable,
  writeFileAtomic,
} from '../core/index.js';
import {
  type InstanceLock,
  acquireInstanceLock,
  detectCgroupLayout,
  hostRoutes,
  linkExists,
  startProcessLauncher,
  stopProcessLauncher,
} from '../sys/index.js';
import { bindImageService, openImages } from '../images/index.js';
import { createBuildService } from '../build/index.js';
import { createDistributionService } from '../distribution/index.js';
import { serveRegistry } from '../registry/index.js';
import {
  type NetworkEndpoint,
  type NetworkRecord,
  type NetworkService,
  bindNetworkService,
  chooseDefaultBridge,
  createBridgeDriver,
  createMacvlanDriver,
  ensurePredefinedNetworks,
  openNetworkStore,
} from '../network/index.js';
import { type VolumeService, createVolumeService, openVolumeStore } from '../volumes/index.js';
import { type EventLog, openEventLog } from '../events/index.js';
import { nowRfc3339Nano } from '../oci/index.js';
import { checkStore, createSystemService, dataUsage, loadEngineId } from '../system/index.js';
import type { DaemonConfig } from './config.js';
import { type Listener, closeListeners, openListeners } from './listeners.js';

export interface RunningDaemon {
  config: DaemonConfig;
  /** Stops accepting, finishes in-flight requests, releases the data root. */
  stop(): Promise<void>;
}

/** How long in-flight requests get to finish at shutdown before streams are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

async function writePidfile(path: string): Promise<void> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    if (pid > 0 && pid !== process.pid && (await isMoordProcess(pid))) {
      throw unavailable(
        `pid file found, ensure moord is not running or delete ${path}: process with PID ${pid} is still running`,
      );
    }
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  await writeFileAtomic(path, `${process.pid}\n`);
}

/**
 * Whether the pid from a pid file is still a moord. After a crash the number may have been
 * reused by an unrelated process, which must not keep moord from starting (the data-root lock
 * is what really excludes a second daemon).
 */
async function isMoordProcess(pid: number): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').some((arg) => /moord(\.js)?$/.test(arg));
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ESRCH')) return false;
    return true;
  }
}

/** The composition root: builds the services, opens the API, and owns the start/stop order. */
export async function startDaemon(config: DaemonConfig, logger: Logger): Promise<RunningDaemon> {
  const addresses = (
    config.hosts.length > 0 ? config.hosts : [`unix://${DEFAULT_UNIX_SOCKET}`]
  ).map((h) => parseHostAddress(h, config.tls === true));
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });

  const locked = await acquireInstanceLock(config.dataRoot);
  if (!locked.ok) {
    throw unavailable(
      `data root ${config.dataRoot} is in use by another moord (pid ${locked.holder}); stop it first or use another --data-root`,
    );
  }
  const lock: InstanceLock = locked.lock;
  let listeners: Listener[] = [];
  let containers: ContainerService | undefined;
  let networks: NetworkService | undefined;
  let volumes: VolumeService | undefined;
  let eventLog: EventLog | undefined;
  let registry: { close(): Promise<void> } | undefined;
  let pidfileWritten = false;
  try {
    await writePidfile(config.pidfile);
    pidfileWritten = true;
    // Host commands (monitors, ip, iptables, mounts) start from a small helper process; the
    // monitors report on a socket of the exec root (root-only) straight to moord.
    await startProcessLauncher({ syncChannel: join(config.execRoot, 'sync.sock') }).catch(
      (err: unknown) =>
        logger.warn('the process launcher did not start; commands start from moord', {
          error: errorMessage(err),
        }),
    );
    const usage = {
      containerUsing: (id: string): string | undefined => containers?.containerUsing(id),
    };
    const imageStores = await openImages({
      dataRoot: config.dataRoot,
      driver: config.storageDriver,
      usage,
      logger,
    });
    const images = bindImageService(imageStores, (event) => eventLog?.publish(event));
    const cgroups = await detectCgroupLayout();
    const events = await openEventLog(join(config.dataRoot, 'events.jsonl'));
    eventLog = events;
    const networkStore = await openNetworkStore(join(config.dataRoot, 'network'));
    const networkOptions = {
      store: networkStore,
      defaultBridge: chooseDefaultBridge({
        wanted: config.defaultBridge,
        given: config.defaultBridgeGiven,
        current: networkStore.byName('bridge')?.options['com.docker.network.bridge.name'],
        docker0Exists: await linkExists('docker0'),
        routes: await hostRoutes(),
      }),
      endpoints: (networkId: string) =>
        containers ? containerEndpoints(containers, networkStore.get(networkId)) : [],
      now: nowRfc3339Nano,
      bridge: createBridgeDriver(),
      macvlan: createMacvlanDriver(),
      upstreamDns: hostNameservers,
      addressPools: config.addressPools,
      hostRoutes,
      publish: events.publish,
    };
    await ensurePredefinedNetworks(networkOptions);
    networks = bindNetworkService(networkOptions);
    const volumeService = createVolumeService({
      store: await openVolumeStore(join(config.dataRoot, 'volumes')),
      publish: events.publish,
    });
    volumes = volumeService;
    const initPath = await findInitBinary();
    containers = bindContainerService(
      await openContainers({
        dataRoot: config.dataRoot,
        execRoot: config.execRoot,
        driver: config.storageDriver,
        images: imageStores,
        cgroups,
        logger,
        networks,
        volumes,
        publish: events.publish,
        defaults: {
          logDriver: config.logDriver,
          logOpts: config.logOpts,
          initPath,
          stopTimeout: 10,
        },
      }),
    );
    const running = containers;
    const builds = await createBuildService({
      images: imageStores,
      imageService: images,
      containers: running,
      dataRoot: config.dataRoot,
    });
    const distribution = createDistributionService({
      images: imageStores,
      insecureRegistries: config.insecureRegistries,
      registryMirrors: config.registryMirrors,
      // Docker's /etc/docker/certs.d, beside the daemon's config file.
      certsDir: join(dirname(config.configFile), 'certs.d'),
      publish: events.publish,
    });
    const system = await createSystemService({
      engineId: await loadEngineId(config.dataRoot),
      dataRoot: config.dataRoot,
      debug: () => logger.level === 'debug',
      storageDriver: config.storageDriver,
      loggingDriver: config.logDriver,
      defaultRuntime: 'runc',
      runtimes: { runc: { path: 'runc' } },
      ...(initPath === undefined ? {} : { initPath }),
      insecureRegistries: config.insecureRegistries,
      registryMirrors: config.registryMirrors,
      labels: config.labels,
      cgroups,
      inventory: () =>
        Promise.resolve({
          containers: running.counts(),
          images: images.count(),
        }),
    });
    const handler = createApiHandler({
      routes: [
        ...systemRoutes(system),
        ...imageRoutes({
          ...images,
          pull: (...args) => distribution.pull(...args),
          push: (...args) => distribution.push(...args),
        }),
        ...containerRoutes(running),
        ...commitRoutes(running),
        ...containerFileRoutes(running),
        ...containerStreamRoutes(running),
        ...containerStatsRoutes(running),
        ...networkRoutes({
          ...networks,
          connect: (network, container, config) =>
            running.connectNetwork(network, container, config),
          disconnect: (network, container) => running.disconnectNetwork(network, container),
        }),
        ...volumeRoutes(volumes),
        ...eventRoutes(events),
        ...buildRoutes(builds),
        ...authRoutes((auth, signal) => distribution.login(auth, signal)),
        ...storeCheckRoutes((fix) =>
          checkStore(
            {
              images: imageStores,
              containers: running,
              volumes: volumeService,
              dataRoot: config.dataRoot,
              execRoot: config.execRoot,
            },
            fix,
          ),
        ),
        ...systemDfRoutes((kinds) =>
          dataUsage(
            {
              images,
              stores: imageStores,
              containers: running,
              volumes: volumeService,
              buildCache: () => builds.usage(),
            },
            kinds,
          ),
        ),
      ],
      logger,
    });
    if (config.registryAddr) {
      const root = config.registryRoot ?? join(config.dataRoot, 'registry');
      registry = await serveRegistry({ addr: config.registryAddr, root });
      logger.info('serving a registry', { addr: config.registryAddr, root });
    }
    listeners = await openListeners(addresses, handler, config, logger);
  } catch (err) {
    await registry?.close();
    await stopProcessLauncher();
    if (pidfileWritten) await removeFile(config.pidfile);
    await lock.release();
    throw err;
  }
  logger.info('Daemon has completed initialization', { dataRoot: config.dataRoot });

  return {
    config,
    async stop() {
      await closeListeners(listeners, SHUTDOWN_GRACE_MS);
      await registry?.close();
      // Containers keep running: their monitors do not depend on moord.
      await containers?.close();
      await networks?.close();
      await volumes?.close();
      await eventLog?.close();
      await stopProcessLauncher();
      await removeFile(config.pidfile);
      await lock.release();
    },
  };
}

/** A static init for `--init` (Debian: tini's `tini-static`, or docker-init). */
async function findInitBinary(): Promise<string | undefined> {
  const { access } = await import('node:fs/promises');
  for (const path of [
    '/usr/bin/tini-static',
    '/usr/bin/docker-init',
    '/usr/libexec/docker/docker-init',
  ]) {
    try {
      await access(path);
      return path;
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
  }
  return undefined;
}

async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((err: unknown) => {
    if (!hasErrno(err, 'ENOENT')) throw err;
  });
}

/**
 * The containers on a network now: running ones whose network mode is the network (host and
 * none; bridge networks get their endpoints with the bridge driver). Endpoint ids are derived
 * from the pair, so they stay the same across calls.
 */
function containerEndpoints(
  containers: ContainerService,
  network: NetworkRecord | undefined,
): NetworkEndpoint[] {
  if (!network || (network.name !== 'host' && network.name !== 'none')) return [];
  return containers
    .list({ all: false, filters: {} })
    .filter((r) => r.hostConfig.NetworkMode === network.name)
    .map((r) => ({
      containerId: r.id,
      name: r.name,
      endpointId: createHash('sha256').update(`${network.id}/${r.id}`).digest('hex'),
      macAddress: '',
      ipv4Address: '',
    }));
}
