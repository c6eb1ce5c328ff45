import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';

import type { ContainerCreateRequest, EndpointConfig } from '../api-types/index.js';
import { invalidArgument, parseIpv4 } from '../core/index.js';
import { resolveImage } from '../images/index.js';
import { parseSignal } from '../oci/index.js';
import { mergeLogConfig, validateLogConfig } from '../logging/index.js';
import { buildRuntimeSpec } from '../runtime/index.js';
import type { ContainerContext } from './container-context.js';
import { mergeImageConfig, normalizeHostConfig, processOf } from './container-config.js';
import { generateName, validateName } from './container-names.js';
import { ZERO_TIME, type ContainerRecord } from './container-record.js';
import { nowRfc3339Nano } from '../oci/index.js';
import { normalizeLinks } from './container-links.js';
import { claimMounts, planMounts } from './container-mounts.js';
import { labelModeWarnings } from './mount-point.js';
import { publishContainerEvent } from './container-event.js';
import { blkioDevicePaths, checkResources } from './resource-checks.js';
import { blockDeviceNumbers } from '../sys/index.js';
import { validateRestartPolicy } from './restart-policy.js';
import { prepareRootfs } from './rootfs-mount.js';
import { cancelPreparedStart, endPreparedMonitor, prepareFirstStart } from './prepared-start.js';
import { createAhead, discardCreatedAhead } from './create-ahead.js';
import { returnPooledMonitor, takePooledMonitor } from './monitor-pool.js';

/** As Docker: containers without a network mode are on the default `bridge` network. */
const DEFAULT_NETWORK_MODE = 'bridge';
const NETWORK_MODES = new Set(['none', 'host']);

/**
 * The network mode as stored: `container:NAME` of an existing container becomes
 * `container:<full id>`, as dockerd records it. As dockerd, a network or container that does
 * not exist is only an error when the container starts.
 */
function storedNetworkMode(ctx: ContainerContext, mode: string): string {
  if (!mode.startsWith('container:')) return mode;
  const ref = mode.slice('container:'.length);
  if (ref === '') throw invalidArgument('container: network mode needs a container name or id');
  const other = ctx.store.all().find((r) => r.id === ref || r.name === ref.replace(/^\//, ''));
  return other ? `container:${other.id}` : mode;
}

/**
 * The client's endpoint settings (NetworkingConfig.EndpointsConfig), checked as dockerd checks
 * them: a fixed address only on a user-defined network.
 */
function endpointsOf(
  requested: Record<string, EndpointConfig | null> | null | undefined,
  mode: string,
): Record<string, EndpointConfig> | undefined {
  const entries = Object.entries(requested ?? {}).filter(
    (entry): entry is [string, EndpointConfig] => entry[1] !== null,
  );
  if (entries.length === 0) return undefined;
  const builtin = NETWORK_MODES.has(mode) || mode === 'bridge' || mode === 'default';
  for (const [, endpoint] of entries) {
    const ipam = endpoint.IPAMConfig;
    if (builtin && (ipam?.IPv4Address || ipam?.IPv6Address)) {
      throw invalidArgument('user specified IP address is supported on user defined networks only');
    }
    if (ipam?.IPv4Address && parseIpv4(ipam.IPv4Address) === undefined) {
      throw invalidArgument(`invalid IPv4 address: ${ipam.IPv4Address}`);
    }
    if (endpoint.MacAddress && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(endpoint.MacAddress)) {
      throw invalidArgument(`invalid MAC address: ${endpoint.MacAddress}`);
    }
  }
  return Object.fromEntries(entries);
}

/**
 * Docker's create: validates the request, resolves the image (NotFound "No such image: X",
 * which makes the docker CLI pull), merges the image's config, prepares the writable layer
 * (the container's /etc files are written at each start), stores the record last — a crash
 * before that leaves only a directory without a record, which the store removes at start —
 * and starts the monitor of its first start ahead.
 */
export async function createContainer(
  ctx: ContainerContext,
  request: ContainerCreateRequest,
  requestedName: string | undefined,
): Promise<{ id: string; warnings: string[] }> {
  const { HostConfig: rawHost, ...withNetworking } = request;
  const { NetworkingConfig, ...rawConfig } = withNetworking;
  if (!rawConfig.Image) throw invalidArgument('No image specified');
  const hostConfig = normalizeHostConfig(rawHost);
  checkResources(hostConfig, ctx.hostResources);
  // As dockerd: a memory limit without a swap limit allows as much swap again.
  const memory = hostConfig.Memory ?? 0;
  if (memory > 0 && !hostConfig.MemorySwap && ctx.hostResources.swapLimit) {
    hostConfig.MemorySwap = memory * 2;
  }
  validateRestartPolicy(hostConfig.RestartPolicy ?? {}, hostConfig.AutoRemove === true);
  // The docker CLI names the default network `default`, in the mode and the endpoint settings.
  const requestedEndpoints = { ...(NetworkingConfig?.EndpointsConfig ?? {}) };
  if (hostConfig.NetworkMode === 'default') {
    hostConfig.NetworkMode = DEFAULT_NETWORK_MODE;
    const settings = requestedEndpoints['default'];
    delete requestedEndpoints['default'];
    if (settings) requestedEndpoints[DEFAULT_NETWORK_MODE] = settings;
  }
  hostConfig.NetworkMode = storedNetworkMode(ctx, hostConfig.NetworkMode ?? '');
  const endpoints = endpointsOf(requestedEndpoints, hostConfig.NetworkMode ?? '');
  // As dockerd: the daemon's driver and options are merged in and stored with the container.
  const logConfig = mergeLogConfig(hostConfig.LogConfig, {
    driver: ctx.defaults.logDriver,
    opts: ctx.defaults.logOpts,
  });
  validateLogConfig(logConfig.Type, logConfig.Config);
  hostConfig.LogConfig = logConfig;
  const resolved = resolveImage(ctx.images.images, ctx.images.refs, rawConfig.Image);
  const image = ctx.images.images.get(resolved.id);
  if (!image) throw invalidArgument(`No such image: ${rawConfig.Image}`);

  // The pool's monitor gives the container its id when it fits (monitor-pool.ts).
  const pooled = takePooledMonitor(ctx, rawConfig);
  let pooledMonitor = pooled?.monitor;
  const id = pooled?.id ?? randomBytes(32).toString('hex');
  try {
    const config = mergeImageConfig(rawConfig, image.config, id);
    // As dockerd: a container on the host's network is named as the host unless told otherwise.
    if (hostConfig.NetworkMode === 'host' && !rawConfig.Hostname) config.Hostname = hostname();
    // dockerd refuses a bad stop signal at create, not only when the container is stopped.
    if (rawConfig.StopSignal) parseSignal(rawConfig.StopSignal);
    const { path, args } = processOf(config);
    const plannedMounts = await planMounts(ctx, config, hostConfig);
    // Everything the runtime config would refuse (capabilities, sysctls, security options...)
    // is refused now, not at start.
    buildRuntimeSpec({
      id,
      rootfs: '/',
      args: [path, ...args],
      env: [],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      hostname: config.Hostname ?? '',
      domainname: config.Domainname ?? '',
      config,
      hostConfig,
      cgroupsPath: `/moor/${id}`,
      cgroupVersion: ctx.cgroups.version,
      networkNamespace: hostConfig.NetworkMode === 'host' ? { kind: 'host' } : { kind: 'new' },
      files: { hosts: '/', hostname: '/', resolvConf: '/' },
      availableCapabilities: ctx.availableCapabilities,
      blockDevices: await blockDeviceNumbers(blkioDevicePaths(hostConfig)),
    });

    let name = requestedName ?? '';
    if (name !== '') {
      validateName(name);
      name = name.replace(/^\//, '');
    } else {
      name = generateName((candidate) => ctx.store.idByName(candidate) !== undefined);
    }
    if (hostConfig.Links?.length) hostConfig.Links = normalizeLinks(ctx, hostConfig.Links, name);
    ctx.store.reserveName(name, id);
    let bundle: string | undefined;
    try {
      const record: ContainerRecord = {
        id,
        name,
        created: nowRfc3339Nano(),
        imageId: image.id,
        path,
        args,
        config,
        hostConfig,
        state: {
          status: 'created',
          pid: 0,
          monitorPid: 0,
          exitCode: 0,
          error: '',
          startedAt: ZERO_TIME,
          finishedAt: ZERO_TIME,
          oomKilled: false,
          manuallyStopped: false,
        },
        restartCount: 0,
        ...(endpoints ? { endpoints } : {}),
        driver: ctx.driver,
      };
      const paths = ctx.pathsOf(record);
      // The container's own (new id): made by the pool with its monitor, or below.
      bundle = paths.bundle;
      if (plannedMounts.length > 0) record.mounts = await claimMounts(ctx, id, plannedMounts);
      // The store's directory exists: one mkdir, not the recursive walk (the pool made the
      // directory of its monitor's container already).
      if (!pooled) mkdirSync(paths.dir, { mode: 0o710 });
      await prepareRootfs(ctx, paths, image.topLayer);
      // The monitor loads, and the process may be created, while the record is written.
      prepareFirstStart(ctx, record, pooledMonitor);
      pooledMonitor = undefined;
      createAhead(ctx, record);
      await ctx.store.save(record, { fresh: true });
      publishContainerEvent(ctx, record, 'create');
      return { id, warnings: labelModeWarnings(hostConfig.Binds ?? []) };
    } catch (err) {
      await discardCreatedAhead(ctx, id);
      cancelPreparedStart(ctx, id);
      // The pool's monitor, if the container did not have it yet, goes with its directories.
      endPreparedMonitor(pooledMonitor);
      pooledMonitor = undefined;
      ctx.live.delete(id);
      if (bundle) rmSync(bundle, { recursive: true, force: true });
      ctx.store.releaseName(name, id);
      ctx.store.delete(id);
      await ctx.volumes?.forget(id, { removeAnonymous: true });
      throw err;
    }
  } finally {
    // A create refused before its container's directories were touched gives the pool's
    // monitor back.
    if (pooled && pooledMonitor) returnPooledMonitor(ctx, pooled);
  }
}
