import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { conflict, invalidArgument } from '../core/index.js';
import {
  type NamespaceSource,
  type PreparedMonitor,
  buildRuntimeSpec,
  serializeRuntimeSpec,
} from '../runtime/index.js';
import type { JoinRequest, NetworkAttachment } from '../network/index.js';
import type { Digest } from '../oci/index.js';
import { blockDeviceNumbers, hostDevices } from '../sys/index.js';
import { blkioDevicePaths } from './resource-checks.js';
import type { ContainerContext, CreatedProcess } from './container-context.js';
import type { ContainerPaths } from './container-paths.js';
import { type ContainerRecord, networksToJoin } from './container-record.js';
import { linkAliases, linkedHosts } from './container-links.js';
import { writeEtcFiles } from './etc-files.js';
import { releaseMounts, runtimeMounts } from './container-mounts.js';
import { type ProcessSetup, resolveProcess } from './process-setup.js';
import {
  imageLowerDirs,
  mountRootfs,
  rootfsSpecMount,
  unmountRootfs,
  volatileMarker,
} from './rootfs-mount.js';
import { endPreparedMonitor, monitorSpecOf, startMonitor } from './prepared-start.js';
import { NeedsMountedRootfs, layeredRootfsReader, mountedRootfsReader } from './rootfs-reader.js';

// The first half of a container's start, up to the runtime's created process (`runc create`),
// which waits to be let go. A start runs it, or the container's create ahead of its start
// (create-ahead.ts).

function cgroupsPath(id: string): string {
  return `/moor/${id}`;
}

/**
 * The first half of a start: the rootfs, the bundle, the container's addresses and /etc
 * files, and the monitor's `runc create` (the monitor started ahead at create, if given).
 * Everything done is left for the caller to undo (undoStart) when it throws.
 */
export async function createProcess(
  ctx: ContainerContext,
  record: ContainerRecord,
  paths: ContainerPaths,
  prepared: Promise<PreparedMonitor> | undefined,
): Promise<CreatedProcess> {
  const { id } = record;
  const topLayer = ctx.images.images.get(record.imageId)?.topLayer;
  const lowerDirs = ctx.driver === 'vfs' ? [] : await imageLowerDirs(ctx, paths, topLayer);
  // A container removed at its exit has a writable layer that need not outlive a host crash.
  const volatile = record.hostConfig.AutoRemove === true;
  const rootfsMount = rootfsSpecMount(ctx, paths, lowerDirs, { volatile });
  if (!rootfsMount) await mountRootfs(ctx, paths, topLayer);
  // The monitor started ahead at create waits in the bundle: the bundle stays.
  let ahead = prepared;
  // What does not depend on the process setup goes on beside it; each is awaited (settled)
  // before a failure goes on, so that its clean-up sees all it did. The bundle is a few
  // small files on the exec root (a tmpfs on a usual host): made at once, without a round trip
  // through the thread pool for each.
  const bundleReady = new Promise<void>((resolve) => {
    rmSync(paths.exitFile, { force: true });
    if (!ahead) rmSync(paths.bundle, { recursive: true, force: true });
    // Left by an earlier volatile mount of this layer (`docker start` again): the layer is
    // this container's own and is thrown away at its exit anyway.
    if (volatile) rmSync(volatileMarker(paths), { recursive: true, force: true });
    mkdirSync(paths.persist, { recursive: true, mode: 0o700 });
    resolve();
  });
  const networksReady = joinNetworks(ctx, record, paths);
  const beside = [bundleReady, networksReady];
  for (const part of beside) part.catch(() => undefined);
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
    const monitor = ahead;
    ahead = undefined;
    // runc creates the cgroups again: an earlier run's must be gone by then.
    await ctx.runc.settle(id);
    const started = await startMonitor(monitorSpecOf(ctx, record, paths), monitor);
    return { started, attachments };
  } catch (err) {
    endPreparedMonitor(ahead);
    await Promise.allSettled(beside);
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
 * Undoes the runtime side of a start that did not happen: addresses, ports, mounts, the
 * runtime's container, a host mount of the rootfs and the bundle. The record stays as it is.
 */
export async function undoStart(
  ctx: ContainerContext,
  id: string,
  record = ctx.store.get(id),
): Promise<void> {
  ctx.networks?.leave(id);
  await ctx.networks?.unpublish(id).catch(() => undefined);
  await releaseMounts(ctx, id).catch(() => undefined);
  if (!record) return;
  await ctx.runc.delete(id, true).catch(() => undefined);
  const paths = ctx.pathsOf(record);
  await unmountRootfs(ctx, paths).catch(() => undefined);
  // Without its bundle, a failed start is never taken for one moord did not record.
  await rm(paths.bundle, { recursive: true, force: true });
}
