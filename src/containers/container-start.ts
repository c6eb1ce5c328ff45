import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { conflict, invalidArgument, settleAll } from '../core/index.js';
import { createLogPump, openLogDriver } from '../logging/index.js';
import {
  type NamespaceSource,
  RuntimeStartError,
  buildRuntimeSpec,
  reopenMonitorLog,
  serializeRuntimeSpec,
} from '../runtime/index.js';
import {
  type JoinRequest,
  type NetworkAttachment,
  type PortMapping,
  requestedPorts,
} from '../network/index.js';
import type { Digest } from '../oci/index.js';
import { blockDeviceNumbers, hostDevices } from '../sys/index.js';
import { blkioDevicePaths } from './resource-checks.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import { type ContainerRecord, networksToJoin } from './container-record.js';
import { rfc3339Nano } from '../oci/index.js';
import { logConfigOf } from './container-config.js';
import { canStart, markRunning } from './container-state.js';
import { probeCommand, startHealthCheck } from './health-check.js';
import { linkAliases, linkedHosts } from './container-links.js';
import { writeEtcFiles } from './etc-files.js';
import { releaseMounts, runtimeMounts } from './container-mounts.js';
import { publishContainerEvent, publishNetworkEvents } from './container-event.js';
import { type ProcessSetup, resolveProcess } from './process-setup.js';
import {
  imageLowerDirs,
  mountRootfs,
  rootfsSpecMount,
  unmountRootfs,
  volatileMarker,
} from './rootfs-mount.js';
import {
  endPreparedMonitor,
  monitorSpecOf,
  startMonitor,
  takePreparedStart,
} from './prepared-start.js';
import { NeedsMountedRootfs, layeredRootfsReader, mountedRootfsReader } from './rootfs-reader.js';

/** Docker's exit codes for a process the runtime could not start. */
function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|exec format error|not a directory/i.test(message)) return 126;
  return 128;
}

function cgroupsPath(id: string): string {
  return `/moor/${id}`;
}

export async function ensureLogPump(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
) {
  const live = ctx.liveOf(record.id);
  if (live.pump) return live.pump;
  const log = logConfigOf(record.hostConfig, ctx.defaults);
  const driver = await openLogDriver({
    type: log.Type,
    config: log.Config,
    dir: paths.dir,
    id: record.id,
    container: {
      name: record.name,
      imageId: record.imageId,
      imageName: record.config.Image ?? '',
      labels: record.config.Labels ?? {},
      env: record.config.Env ?? [],
    },
  });
  const pump = createLogPump({
    source: paths.monitorLog,
    checkpoint: paths.monitorLogOffset,
    driver,
    reopenSource: () => reopenMonitorLog(paths.bundle),
    onError: (err) =>
      ctx.logger.error('converting the container log failed', {
        id: record.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  });
  await pump.start();
  live.pump = pump;
  return pump;
}

/**
 * Starts a created or exited container: mounts its rootfs, writes the OCI bundle, starts its
 * monitor (which runs `runc create`), converts its output from then on, and runs `runc start`.
 * Call under the container's lock. A process the runtime cannot start leaves the container
 * stopped with Docker's exit code (127 not found, 126 not executable) and the runtime's error.
 */
export async function startContainer(
  ctx: ContainerContext,
  id: string,
  options: { internal?: boolean } = {},
): Promise<void> {
  let record = ctx.store.get(id);
  if (!record) throw invalidArgument(`No such container: ${id}`);
  // Restarts (restart policy) start a container that shows `restarting`.
  if (!(options.internal && record.state.status === 'restarting')) canStart(record);
  const paths = ctx.pathsOf(record);
  const topLayer = ctx.images.images.get(record.imageId)?.topLayer;
  const lowerDirs = ctx.driver === 'vfs' ? [] : await imageLowerDirs(ctx, paths, topLayer);
  // A container removed at its exit has a writable layer that need not outlive a host crash.
  const volatile = record.hostConfig.AutoRemove === true;
  const rootfsMount = rootfsSpecMount(ctx, paths, lowerDirs, { volatile });
  if (!rootfsMount) await mountRootfs(ctx, paths, topLayer);
  // The monitor started ahead at create, waiting in the bundle: the bundle stays.
  let prepared = takePreparedStart(ctx, id);
  // What does not depend on the process setup goes on beside it; each is awaited (settled)
  // before a failure is recorded, so that its clean-up sees all it did. The bundle is a few
  // small files on the exec root (a tmpfs on a usual host): made at once, without a round trip
  // through the thread pool for each.
  const bundleReady = new Promise<void>((resolve) => {
    rmSync(paths.exitFile, { force: true });
    if (!prepared) rmSync(paths.bundle, { recursive: true, force: true });
    // Left by an earlier volatile mount of this layer (`docker start` again): the layer is
    // this container's own and is thrown away at its exit anyway.
    if (volatile) rmSync(volatileMarker(paths), { recursive: true, force: true });
    mkdirSync(paths.persist, { recursive: true, mode: 0o700 });
    resolve();
  });
  const networksReady = joinNetworks(ctx, record, paths);
  // The log pump starts beside the monitor (it reads the monitor's log from where it left
  // off, so it misses nothing), and is running before the process is let go.
  let pumpReady: Promise<unknown> | undefined;
  const beside = [bundleReady, networksReady];
  for (const part of beside) part.catch(() => undefined);
  const settled = () => Promise.allSettled([...beside, pumpReady]);
  try {
    const proc = await setupProcess(ctx, record, paths, {
      topLayer,
      lowerDirs,
      hostMounted: rootfsMount === undefined,
    });
    const mounts = await runtimeMounts(ctx, record, paths, topLayer);
    const spec = buildRuntimeSpec({
      id,
      rootfs: paths.rootfs,
      mounts,
      ...(rootfsMount ? { rootfsMount } : {}),
      args: proc.args,
      env: proc.env,
      cwd: proc.cwd,
      user: proc.user,
      hostname: record.config.Hostname ?? '',
      domainname: record.config.Domainname ?? '',
      config: record.config,
      hostConfig: record.hostConfig,
      cgroupsPath: cgroupsPath(id),
      cgroupVersion: ctx.cgroups.version,
      networkNamespace: networkNamespaceOf(ctx, record.hostConfig.NetworkMode ?? ''),
      files: { hosts: paths.hosts, hostname: paths.hostname, resolvConf: paths.resolvConf },
      availableCapabilities: ctx.availableCapabilities,
      blockDevices: await blockDeviceNumbers(blkioDevicePaths(record.hostConfig)),
      ...(record.hostConfig.Privileged ? { hostDevices: await hostDevices() } : {}),
      ...(record.hostConfig.Init && ctx.defaults.initPath
        ? { initPath: ctx.defaults.initPath }
        : {}),
    });
    if (record.hostConfig.Init && !ctx.defaults.initPath) {
      throw invalidArgument('--init: no init binary found (install the tini package)');
    }
    await bundleReady;
    writeFileSync(`${paths.bundle}/config.json`, serializeRuntimeSpec(spec));
    const attachments = await networksReady;
    const pump = ensureLogPump(ctx, record, paths);
    pumpReady = pump;
    pump.catch(() => undefined);
    let started;
    try {
      const ahead = prepared;
      prepared = undefined;
      // runc creates the cgroups again: an earlier run's must be gone by then.
      await ctx.runc.settle(id);
      started = await startMonitor(monitorSpecOf(ctx, record, paths), ahead);
    } catch (err) {
      await (await pump.catch(() => undefined))?.stop();
      ctx.liveOf(id).pump = undefined;
      throw err;
    }
    await pump;
    await ctx.networks?.plumb(attachments, started.pid);
    publishNetworkEvents(ctx, id, attachments, 'connect');
    const ports = await publishPorts(ctx, record, attachments[0]);
    const now = rfc3339Nano(BigInt(Date.now()) * 1_000_000n);
    const running = {
      ...markRunning(record.state, started.pid, started.monitorPid, now),
      ...(attachments.length > 0 ? { networks: attachments } : {}),
      ...(ports.length > 0 ? { ports } : {}),
    };
    record = {
      ...record,
      state: probeCommand(record.config.Healthcheck?.Test)
        ? { ...running, health: { status: 'starting', failingStreak: 0, log: [] } }
        : running,
    };
    ctx.liveOf(id).startedAtMs = Date.now();
    ctx.eventsOf(id).emit('created');
    // The process goes while its state is stored: a moord that dies in between adopts the
    // started container at its next start (start-adoption.ts). After a power failure the
    // container is not running whatever the record says: its running state is transient.
    await settleAll([ctx.store.save(record, { transient: true }), ctx.runc.start(id)]);
    publishContainerEvent(ctx, record, 'start');
    startHealthCheck(ctx, record);
  } catch (err) {
    endPreparedMonitor(prepared);
    await settled();
    await recordStartFailure(ctx, id, err);
    throw err;
  }
}

/**
 * Resolves the process (user, working dir) against the container's files: read through its
 * layers when the runtime mounts them, or on the host mount. A path through a symlink needs
 * the real mount: the rootfs is then mounted for the lookup and unmounted again, so the
 * runtime's own mount never meets it.
 */
async function setupProcess(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
  rootfs: { topLayer: Digest | undefined; lowerDirs: readonly string[]; hostMounted: boolean },
): Promise<ProcessSetup> {
  const { topLayer, hostMounted } = rootfs;
  if (hostMounted) {
    return resolveProcess(record, mountedRootfsReader(paths.rootfs));
  }
  const layers = [paths.upper, ...rootfs.lowerDirs];
  try {
    return await resolveProcess(record, layeredRootfsReader(layers));
  } catch (err) {
    if (!(err instanceof NeedsMountedRootfs)) throw err;
  }
  await mountRootfs(ctx, paths, topLayer);
  try {
    return await resolveProcess(record, mountedRootfsReader(paths.rootfs));
  } finally {
    await unmountRootfs(ctx, paths);
  }
}

/**
 * Where the container's network namespace comes from: the host's, another running container's
 * (`container:<id>`; Docker's error when it is not running), or a new one.
 */
function networkNamespaceOf(ctx: ContainerContext, mode: string): NamespaceSource {
  if (mode === 'host') return { kind: 'host' };
  if (!mode.startsWith('container:')) return { kind: 'new' };
  const other = ctx.store.resolve(mode.slice('container:'.length));
  const { id } = other;
  if (other.state.status !== 'running' || other.state.pid <= 0) {
    throw conflict(`cannot join network of a non running container: ${id}`);
  }
  return { kind: 'path', path: `/proc/${other.state.pid}/ns/net`, joined: true };
}

/** The networks a container joins at start: its network mode's, then those connected to it. */
export function joinRequests(record: ContainerRecord): JoinRequest[] {
  const mode = record.hostConfig.NetworkMode ?? 'default';
  const endpoints = record.endpoints ?? {};
  const refs = networksToJoin(record, mode);
  const links = linkAliases(record);
  return refs.map((ref) => {
    const endpoint = endpoints[ref];
    const fixedIp = endpoint?.IPAMConfig?.IPv4Address;
    const aliases = endpoint?.Aliases ?? [];
    // API < 1.44 clients send --mac-address in Config (for the network mode's network).
    const mac = endpoint?.MacAddress || (ref === mode ? record.config.MacAddress : undefined);
    return {
      ref,
      ...(Object.keys(links).length > 0 ? { links } : {}),
      ...(fixedIp ? { fixedIp } : {}),
      ...(aliases.length > 0 ? { aliases } : {}),
      ...(mac ? { mac } : {}),
    };
  });
}

/**
 * Reserves the container's addresses on its networks (bridge or user networks; none for host,
 * none and container: modes) and writes its /etc/hostname, /etc/hosts (with its address, as
 * Docker's) and /etc/resolv.conf, as at every start: they follow the host's files and the
 * container's networks.
 */
async function joinNetworks(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
): Promise<NetworkAttachment[]> {
  const attachments = ctx.networks
    ? await ctx.networks.join({ id: record.id, name: record.name }, joinRequests(record))
    : [];
  const first = attachments[0];
  const links = first ? linkedHosts(ctx, record) : [];
  writeEtcFiles(paths, {
    ...(links.length > 0 ? { links } : {}),
    hostname: record.config.Hostname ?? '',
    domainname: record.config.Domainname ?? '',
    hostConfig: record.hostConfig,
    ...(first ? { ip: first.ip } : {}),
    ...(first?.dns ? { embeddedDns: first.dns } : {}),
  });
  return attachments;
}

/**
 * Publishes the ports the container asks for (`-p`, `-P` with its exposed ports) on its
 * network; none on host, none, container: modes (Docker discards them there) or an internal
 * network.
 */
async function publishPorts(
  ctx: ContainerContext,
  record: ContainerRecord,
  attachment: NetworkAttachment | undefined,
): Promise<PortMapping[]> {
  // macvlan interfaces sit on the parent's segment: nothing to publish (as Docker).
  if (!attachment || !ctx.networks || attachment.macvlanMode) return [];
  const requests = requestedPorts({
    portBindings: record.hostConfig.PortBindings,
    exposedPorts: record.config.ExposedPorts,
    publishAll: record.hostConfig.PublishAllPorts === true,
  });
  return requests.length > 0 ? ctx.networks.publish(attachment, requests) : [];
}

async function recordStartFailure(ctx: ContainerContext, id: string, err: unknown): Promise<void> {
  ctx.networks?.leave(id);
  await ctx.networks?.unpublish(id).catch(() => undefined);
  await releaseMounts(ctx, id).catch(() => undefined);
  const record = ctx.store.get(id);
  if (!record) return;
  const message = err instanceof Error ? err.message : String(err);
  await ctx.runc.delete(id, true).catch(() => undefined);
  const paths = ctx.pathsOf(record);
  await unmountRootfs(ctx, paths).catch(() => undefined);
  // Without its bundle, a failed start is never taken for one moord did not record.
  await rm(paths.bundle, { recursive: true, force: true });
  const live = ctx.liveOf(id);
  if (live.pump) {
    await live.pump.stop();
    live.pump = undefined;
  }
  const ran = record.state.status === 'running' || record.state.status === 'restarting';
  const exitCode =
    err instanceof RuntimeStartError
      ? startFailureCode(message)
      : ran
        ? 128
        : record.state.exitCode;
  await ctx.store.save({
    ...record,
    state: {
      ...record.state,
      status: ran ? 'exited' : record.state.status,
      pid: 0,
      monitorPid: 0,
      exitCode,
      error: message,
    },
  });
  // Attached clients must not wait for a process that never ran. Waiters keep waiting, as
  // with Docker: no exit happened.
  ctx.eventsOf(id).emit('start-failed');
}

/** The error a client sees when the runtime refused the process (the CLI maps it to 126/127). */
export function startError(err: unknown): unknown {
  if (!(err instanceof RuntimeStartError)) return err;
  // The wording containerd and dockerd wrap it in: scripts and users grep for these.
  return invalidArgument(
    `failed to create task for container: failed to create shim task: OCI runtime create failed: ${err.message}: unknown`,
    err,
  );
}
