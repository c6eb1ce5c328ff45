import type { EndpointConfig } from '../api-types/index.js';
import { forbidden, internal, invalidArgument } from '../core/index.js';
import type { NetworkRecord } from '../network/index.js';
import type { ContainerContext, ContainerNetworks } from './container-context.js';
import type { ContainerRecord } from './container-record.js';

/*
 * `docker network connect` / `disconnect`: a running container gets (or loses) an interface at
 * once; a stopped one has the network recorded (or removed) for its next start. dockerd's
 * checks and messages.
 */

function isRunning(record: ContainerRecord): boolean {
  return (
    (record.state.status === 'running' || record.state.status === 'paused') && record.state.pid > 0
  );
}

/** The network modes whose containers cannot join other networks, with dockerd's words. */
function checkConnectable(record: ContainerRecord, networkName: string): void {
  const mode = record.hostConfig.NetworkMode ?? 'default';
  if (networkName === 'host') {
    throw invalidArgument(
      'cannot connect container to host network - container must be created in host network mode',
    );
  }
  if (mode === 'host' || mode.startsWith('container:')) {
    throw invalidArgument(
      'container sharing network namespace with another container or host cannot be connected to any other network',
    );
  }
  if (mode === 'none' || networkName === 'none') {
    throw invalidArgument(
      'container cannot be connected to multiple networks with one of the networks in private (none) mode',
    );
  }
}

/** Runs `use` on the container and the network, under the container's lock. */
async function onNetwork(
  ctx: ContainerContext,
  networkRef: string,
  containerRef: string,
  use: (
    record: ContainerRecord,
    network: NetworkRecord,
    networks: ContainerNetworks,
  ) => Promise<void>,
): Promise<void> {
  const networks = ctx.networks;
  if (!networks) throw internal('networks are not available');
  const { id } = ctx.store.resolve(containerRef);
  await ctx.locks.run(id, () => use(ctx.store.resolve(id), networks.resolve(networkRef), networks));
}

export async function connectContainer(
  ctx: ContainerContext,
  networkRef: string,
  containerRef: string,
  config: EndpointConfig,
): Promise<void> {
  await onNetwork(ctx, networkRef, containerRef, async (record, network, networks) => {
    checkConnectable(record, network.name);
    const endpoints = { ...(record.endpoints ?? {}) };
    const attached = record.state.networks ?? [];
    const mode = record.hostConfig.NetworkMode ?? 'default';
    const viaMode = networks.networkOfMode(mode)?.id === network.id;
    // Back on the network of its mode after a disconnect (docker-compose v1 does this).
    const { modeNetworkLeft, ...rest } = record;
    const rejoined = viaMode && modeNetworkLeft === true;
    if (!isRunning(record)) {
      // Recorded for the next start (dockerd: a second connect is a no-op).
      if (!endpoints[network.name] || rejoined) {
        endpoints[network.name] = { ...config };
        await ctx.store.save({ ...(rejoined ? rest : record), endpoints });
      }
      return;
    }
    if (attached.some((a) => a.networkId === network.id)) {
      throw forbidden(
        `endpoint with name ${record.name} already exists in network ${network.name}`,
      );
    }
    const fixedIp = config.IPAMConfig?.IPv4Address;
    const aliases = config.Aliases ?? [];
    const [attachment] = await networks.join(
      { id: record.id, name: record.name },
      [
        {
          ref: network.id,
          ...(fixedIp ? { fixedIp } : {}),
          ...(aliases.length ? { aliases } : {}),
        },
      ],
      attached.length,
    );
    if (!attachment) return;
    try {
      await networks.plumb([attachment], record.state.pid);
    } catch (err) {
      networks.leaveNetwork(record.id, network.id);
      throw err;
    }
    endpoints[network.name] = { ...config };
    await ctx.store.save({
      ...(rejoined ? rest : record),
      endpoints,
      state: { ...record.state, networks: [...attached, attachment] },
    });
  });
}

export async function disconnectContainer(
  ctx: ContainerContext,
  networkRef: string,
  containerRef: string,
): Promise<void> {
  await onNetwork(ctx, networkRef, containerRef, async (record, network, networks) => {
    if (network.name === 'host' && record.hostConfig.NetworkMode === 'host') {
      throw invalidArgument(
        'cannot disconnect container from host network - container was created in host network mode',
      );
    }
    const endpoints = { ...(record.endpoints ?? {}) };
    const mode = record.hostConfig.NetworkMode ?? 'default';
    const viaMode = networks.networkOfMode(mode)?.id === network.id;
    if (!isRunning(record)) {
      if (!endpoints[network.name] && !viaMode) {
        throw internal(`container ${record.id} is not connected to the network ${network.name}`);
      }
      delete endpoints[network.name];
      // Its NetworkMode stays (as Docker's): it can be connected again.
      await ctx.store.save({ ...record, endpoints, ...(viaMode ? { modeNetworkLeft: true } : {}) });
      return;
    }
    const attached = record.state.networks ?? [];
    const attachment = attached.find((a) => a.networkId === network.id);
    if (!attachment) {
      throw internal(`container ${record.id} is not connected to network ${network.name}`);
    }
    await networks.unplumb(attachment, record.state.pid);
    networks.leaveNetwork(record.id, network.id);
    delete endpoints[network.name];
    await ctx.store.save({
      ...record,
      endpoints,
      ...(viaMode ? { modeNetworkLeft: true } : {}),
      state: { ...record.state, networks: attached.filter((a) => a !== attachment) },
    });
  });
}
