import { randomBytes } from 'node:crypto';

import type { NetworkCreateRequest } from '../api-types/index.js';
import {
  type FilterArgs,
  checkFilterKeys,
  conflict,
  exactMatcher,
  forbidden,
  invalidArgument,
  labelFiltersMatch,
  labelsMatch,
  notFound,
  notImplemented,
} from '../core/index.js';
import { parseFilterTime, rfc3339Nanos } from '../oci/index.js';
import { type AddressPool, type IpamPool, nextFreePool, validatePool } from './ipam.js';
import type { NetworkDriver, NetworkRecord } from './network-record.js';
import type { NetworkStore } from './network-store.js';
import { AttachmentRegistry, type NetworkAttachment, bridgeNameOf } from './attachments.js';
import type { BridgeDriver } from './bridge-driver.js';
import { type MacvlanDriver, macvlanMode, macvlanParent } from './macvlan-driver.js';

/** What create, remove and join need of a driver's kernel side. */
type NetworkDriverKernel = Pick<BridgeDriver, 'ready' | 'tearDown'>;
import { type DnsRecords, type DnsServer, startDnsServer } from './dns-server.js';
import type { PortMapping, PortRequest } from './port-bindings.js';
import { createPortPublisher } from './port-publisher.js';
import type { PublishEvent } from '../events/index.js';

/** A container attached to a network (Docker's EndpointResource). */
export interface NetworkEndpoint {
  containerId: string;
  name: string;
  endpointId: string;
  macAddress: string;
  /** `a.b.c.d/prefix`, or '' (host and none). */
  ipv4Address: string;
}

/** The default bridge as the daemon's flags make it (`--bridge`, `--bip`, `--mtu`). */
export interface DefaultBridge {
  bridgeName: string;
  subnet: string;
  gateway: string;
  mtu: number;
  /** `--fixed-cidr`. */
  ipRange?: string;
}

export interface NetworkServiceOptions {
  store: NetworkStore;
  defaultBridge: DefaultBridge;
  /** The containers on the host and none networks now (those have no attachments). */
  endpoints(networkId: string): NetworkEndpoint[];
  now(): string;
  /** The bridge driver (kernel side); tests of the object logic pass none. */
  bridge?: BridgeDriver;
  macvlan?: MacvlanDriver;
  /** The host's resolvers, where embedded resolvers send the names they do not own. */
  upstreamDns?: () => Promise<string[]>;
  /** Where user networks without a subnet get one (Docker's default pools when none). */
  addressPools?: readonly AddressPool[];
  /** The host's routes: a pool block another interface routes to is not handed out. */
  hostRoutes?: () => Promise<ReadonlyArray<{ iface: string; destination: string }>>;
  /** The engine's event log. */
  publish?: PublishEvent;
}

/** A container joining networks (at its start, or connected while it runs). */
export interface JoiningContainer {
  id: string;
  name: string;
}

/** One network to join: a network mode (`bridge`/`default`) or a network's name or id. */
export interface JoinRequest {
  ref: string;
  /** `--ip` on that network. */
  fixedIp?: string;
  /** `--network-alias` on that network. */
  aliases?: string[];
  /** `--mac-address` on that network. */
  mac?: string;
  /** `--link` aliases (alias → container name), resolved for this container only. */
  links?: Record<string, string>;
}

export interface NetworkService {
  list(filters: FilterArgs): NetworkRecord[];
  resolve(ref: string): NetworkRecord;
  endpoints(networkId: string): NetworkEndpoint[];
  create(request: NetworkCreateRequest): Promise<{ id: string; warning: string }>;
  remove(ref: string): Promise<void>;
  /** Removes custom networks without endpoints; returns their names. */
  prune(filters: FilterArgs): Promise<string[]>;
  /**
   * The network a container's network mode names (NotFound `network X not found`); undefined
   * for the modes without one of moor's networks (`host`, `none`, `container:...`).
   */
  networkOfMode(mode: string): NetworkRecord | undefined;
  /**
   * Reserves the container's addresses and readies its networks (before its process exists,
   * or for a running one). Interfaces are numbered from `firstIndex` (`eth<n>`); the first
   * of all (eth0) carries the default route. Modes without a network are skipped.
   */
  join(
    container: JoiningContainer,
    requests: readonly JoinRequest[],
    firstIndex?: number,
  ): Promise<NetworkAttachment[]>;
  /** Frees the container's address on one network. */
  leaveNetwork(containerId: string, networkId: string): void;
  /** Removes a running container's interface (its namespace is its init's). */
  unplumb(attachment: NetworkAttachment, pid: number): Promise<void>;
  /** Creates the container's interfaces once its init exists (created, not started). */
  plumb(attachments: readonly NetworkAttachment[], pid: number): Promise<void>;
  /** Frees the container's addresses (its interfaces went with its namespace). */
  leave(containerId: string): void;
  /** Takes back the attachments of a container that kept running while moord was down. */
  restore(containerId: string, attachments: readonly NetworkAttachment[]): void;
  /** Stops the embedded resolvers (daemon shutdown). */
  close(): Promise<void>;
  /**
   * Publishes a started container's ports on the host (free ports chosen for port 0), with
   * Docker's errors for a port another container or a host process holds.
   */
  publish(attachment: NetworkAttachment, requests: readonly PortRequest[]): Promise<PortMapping[]>;
  /** Withdraws a container's published ports. */
  unpublish(containerId: string): Promise<void>;
  /** Takes back the published ports of a container that kept running while moord was down. */
  restorePorts(attachment: NetworkAttachment, mappings: readonly PortMapping[]): void;
}

const PREDEFINED = new Set(['bridge', 'host', 'none']);
const DRIVERS = new Set<string>(['bridge', 'macvlan']);
/** Docker's network names: the container name rule. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function newId(): string {
  return randomBytes(32).toString('hex');
}

/** The options dockerd shows on its default bridge. */
function defaultBridgeOptions(bridge: DefaultBridge): Record<string, string> {
  return {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'true',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    'com.docker.network.bridge.name': bridge.bridgeName,
    'com.docker.network.driver.mtu': String(bridge.mtu),
  };
}

function bridgePool(bridge: DefaultBridge): IpamPool {
  return {
    subnet: bridge.subnet,
    gateway: bridge.gateway,
    ...(bridge.ipRange ? { ipRange: bridge.ipRange } : {}),
  };
}

function predefined(
  name: string,
  driver: NetworkDriver,
  created: string,
  bridge: DefaultBridge,
): NetworkRecord {
  const isBridge = driver === 'bridge';
  return {
    id: newId(),
    name,
    created,
    driver,
    predefined: true,
    internal: false,
    attachable: false,
    ipam: {
      driver: 'default',
      options: {},
      pools: isBridge ? [bridgePool(bridge)] : [],
    },
    options: isBridge ? defaultBridgeOptions(bridge) : {},
    labels: {},
  };
}

/**
 * Makes sure `bridge`, `host` and `none` exist (created once, their ids then kept), and that
 * the default bridge shows the daemon's current `--bridge`/`--bip` settings.
 */
export async function ensurePredefinedNetworks(options: NetworkServiceOptions): Promise<void> {
  const { store, defaultBridge } = options;
  const drivers: Array<[string, NetworkDriver]> = [
    ['bridge', 'bridge'],
    ['host', 'host'],
    ['none', 'null'],
  ];
  for (const [name, driver] of drivers) {
    const existing = store.byName(name);
    if (!existing) {
      await store.save(predefined(name, driver, options.now(), defaultBridge));
      continue;
    }
    if (driver !== 'bridge') continue;
    const pools: IpamPool[] = [bridgePool(defaultBridge)];
    const settings = defaultBridgeOptions(defaultBridge);
    if (
      JSON.stringify([existing.ipam.pools, existing.options]) !== JSON.stringify([pools, settings])
    ) {
      await store.save({ ...existing, ipam: { ...existing.ipam, pools }, options: settings });
    }
  }
}

/** Docker's `type` filter: builtin for the predefined networks, custom for the others. */
function typeMatches(values: readonly string[], record: NetworkRecord): boolean {
  for (const v of values) {
    if (v !== 'builtin' && v !== 'custom') throw invalidArgument(`invalid filter: 'type'='${v}'`);
  }
  return values.length === 0 || values.includes(record.predefined ? 'builtin' : 'custom');
}

export function bindNetworkService(options: NetworkServiceOptions): NetworkService {
  const { store } = options;
  const attachments = new AttachmentRegistry();
  const ports = createPortPublisher(options.bridge);
  /** The kernel side of a network's driver (none for host and null). */
  const driverOf = (network: NetworkRecord): NetworkDriverKernel | undefined =>
    network.driver === 'bridge'
      ? options.bridge
      : network.driver === 'macvlan'
        ? options.macvlan
        : undefined;
  const resolvers = new Map<string, Promise<DnsServer>>();

  /** The names a network's resolver owns: container names, short ids and aliases. */
  const recordsOf =
    (networkId: string): DnsRecords =>
    (name, from) => {
      const on = attachments.on(networkId);
      // A `--link` alias answers only for the container that made the link.
      const linked = on.find((a) => a.ip === from)?.links?.[name];
      const target = linked === undefined ? name : linked.toLowerCase();
      const found = on.filter((a) =>
        [a.containerName, a.containerId.slice(0, 12), ...(a.aliases ?? [])].some(
          (n) => n.toLowerCase() === target,
        ),
      );
      return found.length > 0 ? found.map((a) => a.ip) : undefined;
    };

  /** Starts a user network's embedded resolver on its gateway (once). */
  const ensureResolver = (network: NetworkRecord): Promise<DnsServer> | undefined => {
    const gateway = network.ipam.pools[0]?.gateway;
    if (network.predefined || !gateway) return undefined;
    let server = resolvers.get(network.id);
    if (!server) {
      server = (async () =>
        startDnsServer({
          address: gateway,
          records: recordsOf(network.id),
          upstreams: (await options.upstreamDns?.()) ?? [],
        }))();
      server.catch(() => resolvers.delete(network.id));
      resolvers.set(network.id, server);
    }
    return server;
  };

  const stopResolver = async (networkId: string): Promise<void> => {
    const server = resolvers.get(networkId);
    resolvers.delete(networkId);
    await (await server?.catch(() => undefined))?.close();
  };
  const endpointsOf = (networkId: string): NetworkEndpoint[] => [
    ...options.endpoints(networkId),
    ...attachments.on(networkId).map((a) => ({
      containerId: a.containerId,
      name: a.containerName,
      endpointId: a.endpointId,
      macAddress: a.mac,
      ipv4Address: `${a.ip}/${a.prefix}`,
    })),
  ];

  const takenSubnets = (except?: string) =>
    store
      .all()
      .filter((r) => r.id !== except && r.driver !== 'macvlan')
      .flatMap((r) => r.ipam.pools.map((p) => p.subnet));

  const matches = (filters: FilterArgs, record: NetworkRecord) => {
    const values = (key: string) => filters[key] ?? [];
    const names = values('name');
    const ids = values('id');
    const dangling = values('dangling');
    return (
      (names.length === 0 || names.some((n) => record.name.includes(n))) &&
      (ids.length === 0 || ids.some((i) => record.id.startsWith(i))) &&
      exactMatcher(filters, 'driver')(record.driver) &&
      exactMatcher(filters, 'scope')('local') &&
      labelsMatch(values('label'), record.labels) &&
      typeMatches(values('type'), record) &&
      (dangling.length === 0 ||
        dangling.some(
          (d) =>
            (d === 'true' || d === '1') ===
            (!record.predefined && endpointsOf(record.id).length === 0),
        ))
    );
  };

  /** Docker's network events: the network as actor, its name and driver (`type`). */
  const publishNetworkEvent = (
    record: NetworkRecord,
    action: string,
    extra: Record<string, string> = {},
  ) =>
    options.publish?.({
      type: 'network',
      action,
      actor: { id: record.id, attributes: { ...extra, name: record.name, type: record.driver } },
    });

  const service: NetworkService = {
    list(filters) {
      checkFilterKeys(filters, ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
      return store.all().filter((r) => matches(filters, r));
    },
    resolve: (ref) => store.resolve(ref),
    endpoints: endpointsOf,
    async create(request) {
      const name = request.Name ?? '';
      if (name === '') throw invalidArgument('network name must not be empty');
      if (PREDEFINED.has(name)) {
        throw forbidden(`${name} is a pre-defined network and cannot be created`);
      }
      if (!VALID_NAME.test(name)) {
        throw invalidArgument(
          `invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
        );
      }
      if (store.byName(name)) throw conflict(`network with name ${name} already exists`);
      const driver = request.Driver || 'bridge';
      if (!DRIVERS.has(driver)) throw notFound(`plugin "${driver}" not found`);
      if (request.EnableIPv6) {
        throw invalidArgument('IPv6 networks are not supported by this engine (EnableIPv6)');
      }
      const ipamDriver = request.IPAM?.Driver || 'default';
      if (ipamDriver !== 'default') throw notFound(`plugin "${ipamDriver}" not found`);
      const taken = takenSubnets();
      const requested = request.IPAM?.Config ?? [];
      const pools: IpamPool[] = [];
      for (const pool of requested) {
        pools.push(validatePool(pool, [...taken, ...pools.map((p) => p.subnet)]));
      }
      if (pools.length === 0) {
        // Subnets the host routes elsewhere (another engine's bridges, the LAN) are skipped.
        const own = new Set(store.all().map(bridgeNameOf));
        const routed = (await options.hostRoutes?.()) ?? [];
        const foreign = routed.filter((r) => !own.has(r.iface)).map((r) => r.destination);
        const subnet = nextFreePool(
          [...taken, ...foreign],
          options.addressPools?.length ? options.addressPools : undefined,
        );
        pools.push(validatePool({ Subnet: subnet }, taken));
      }
      const record: NetworkRecord = {
        id: newId(),
        name,
        created: options.now(),
        driver: driver as NetworkDriver,
        predefined: false,
        internal: request.Internal === true,
        attachable: request.Attachable === true,
        ipam: { driver: ipamDriver, options: { ...(request.IPAM?.Options ?? {}) }, pools },
        options: { ...(request.Options ?? {}) },
        labels: { ...(request.Labels ?? {}) },
      };
      const kernel = driverOf(record);
      if (kernel) {
        try {
          await kernel.ready(record);
        } catch (err) {
          await kernel.tearDown(record).catch(() => undefined);
          throw err;
        }
      }
      await store.save(record);
      publishNetworkEvent(record, 'create');
      return { id: record.id, warning: '' };
    },
    async remove(ref) {
      const record = store.resolve(ref);
      if (record.predefined) {
        throw forbidden(`${record.name} is a pre-defined network and cannot be removed`);
      }
      if (endpointsOf(record.id).length > 0) {
        throw forbidden(
          `error while removing network: network ${record.name} id ${record.id} has active endpoints`,
        );
      }
      await stopResolver(record.id);
      await driverOf(record)?.tearDown(record);
      await store.delete(record.id);
      publishNetworkEvent(record, 'destroy');
    },
    async prune(filters) {
      checkFilterKeys(filters, ['label', 'label!', 'until']);
      const removed: string[] = [];
      const byName = [...store.all()].sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const record of byName) {
        if (record.predefined || endpointsOf(record.id).length > 0) continue;
        if (!labelFiltersMatch(filters, record.labels)) continue;
        const until = filters['until']?.[0];
        if (until !== undefined && rfc3339Nanos(record.created) >= parseFilterTime(until)) continue;
        await stopResolver(record.id);
        await driverOf(record)?.tearDown(record);
        await store.delete(record.id);
        publishNetworkEvent(record, 'destroy');
        removed.push(record.name);
      }
      return removed;
    },
    networkOfMode(mode) {
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined;
      return store.resolve(mode === 'default' || mode === '' ? 'bridge' : mode);
    },
    async join(container, requests, firstIndex = 0) {
      const joined: NetworkAttachment[] = [];
      try {
        for (const request of requests) {
          const network = service.networkOfMode(request.ref);
          if (!network || joined.some((a) => a.networkId === network.id)) continue;
          const kernel = driverOf(network);
          if (!kernel) {
            throw notImplemented(`the ${network.driver} driver cannot attach containers`);
          }
          await kernel.ready(network);
          const resolver = network.driver === 'bridge' ? ensureResolver(network) : undefined;
          if (resolver) await resolver;
          const index = firstIndex + joined.length;
          const attachment = attachments.reserve(
            network,
            { id: container.id, name: container.name, index, gateway: index === 0 },
            request.fixedIp,
          );
          if (request.aliases?.length) attachment.aliases = [...request.aliases];
          if (request.mac) attachment.mac = request.mac.toLowerCase();
          if (request.links && Object.keys(request.links).length > 0) {
            attachment.links = { ...request.links };
          }
          if (network.driver === 'macvlan') {
            attachment.bridge = macvlanParent(network).name;
            attachment.hostInterface = '';
            attachment.macvlanMode = macvlanMode(network);
          }
          if (resolver) attachment.dns = attachment.gateway;
          joined.push(attachment);
        }
      } catch (err) {
        for (const a of joined) attachments.releaseOne(a.networkId, container.id);
        throw err;
      }
      return joined;
    },
    leaveNetwork: (containerId, networkId) => attachments.releaseOne(networkId, containerId),
    async unplumb(attachment, pid) {
      if (attachment.macvlanMode) await options.macvlan?.unplumb(attachment, pid);
      else await options.bridge?.unplumb(attachment, pid);
    },
    async plumb(list, pid) {
      for (const a of list) {
        if (a.macvlanMode) await options.macvlan?.plumb(a, pid);
        else await options.bridge?.plumb([a], pid);
      }
    },
    leave: (id) => attachments.release(id),
    restore(id, list) {
      attachments.restore(id, list);
      for (const a of list) {
        const network = store.get(a.networkId);
        if (a.dns && network) void ensureResolver(network)?.catch(() => undefined);
      }
    },
    async close() {
      await Promise.all([...resolvers.keys()].map(stopResolver));
    },
    publish: (attachment, requests) => ports.publish(attachment, requests),
    unpublish: (containerId) => ports.unpublish(containerId),
    restorePorts: (attachment, mappings) => ports.restore(attachment, mappings),
  };
  return service;
}
