import {
  addRules,
  bridgeRules,
  connectInterface,
  enableIpForwarding,
  enableRouteLocalnet,
  ensureIsolationChains,
  ensureBridge,
  removeLink,
  portRules,
  removeInterface,
  removeRules,
} from '../sys/index.js';
import { type NetworkAttachment, bridgeNameOf } from './attachments.js';
import type { NetworkRecord } from './network-record.js';
import type { PortMapping } from './port-bindings.js';

/**
 * The bridge driver: a network is a Linux bridge holding the gateway address, with outbound
 * NAT for its subnet (or, for an internal network, nothing in or out); a container joins with a
 * veth pair whose inner end is its `ethN`.
 */
export interface BridgeDriver {
  /** Makes the network's bridge and rules exist (checked once per daemon run). */
  ready(network: NetworkRecord): Promise<void>;
  /** Removes the network's rules and bridge. */
  tearDown(network: NetworkRecord): Promise<void>;
  /** Gives a created container its interfaces (its init `pid` waits to be started). */
  plumb(attachments: readonly NetworkAttachment[], pid: number): Promise<void>;
  /** Removes a running container's interface on a network (the pair goes with it). */
  unplumb(attachment: NetworkAttachment, pid: number): Promise<void>;
  /** Adds (or removes) the NAT rules of a container's published ports. */
  forwardPorts(attachment: NetworkAttachment, mappings: readonly PortMapping[]): Promise<void>;
  stopForwarding(attachment: NetworkAttachment, mappings: readonly PortMapping[]): Promise<void>;
}

function portRulesOf(attachment: NetworkAttachment, mappings: readonly PortMapping[]) {
  return mappings.flatMap((m) =>
    portRules({
      bridge: attachment.bridge,
      container: attachment.containerId.slice(0, 12),
      proto: m.proto,
      hostIp: m.hostIp,
      hostPort: m.hostPort,
      containerIp: attachment.ip,
      containerPort: m.containerPort,
    }),
  );
}

function gatewayCidr(network: NetworkRecord): string {
  const pool = network.ipam.pools[0];
  if (!pool) return '';
  return `${pool.gateway}/${pool.subnet.split('/')[1] ?? '32'}`;
}

function rulesOf(network: NetworkRecord) {
  return bridgeRules({
    bridge: bridgeNameOf(network),
    subnet: network.ipam.pools[0]?.subnet ?? '',
    internal: network.internal,
    masquerade: network.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false',
  });
}

function mtuOf(network: NetworkRecord): number {
  return Number(network.options['com.docker.network.driver.mtu'] ?? 1500) || 1500;
}

export function createBridgeDriver(): BridgeDriver {
  /** Network id → its set-up, shared by concurrent callers. */
  const readied = new Map<string, Promise<void>>();
  const mtus = new Map<string, number>();
  return {
    ready(network) {
      let done = readied.get(network.id);
      if (!done) {
        done = (async () => {
          await enableIpForwarding();
          await ensureIsolationChains();
          await ensureBridge({
            name: bridgeNameOf(network),
            address: gatewayCidr(network),
            mtu: mtuOf(network),
          });
          await enableRouteLocalnet(bridgeNameOf(network));
          await addRules(rulesOf(network));
        })();
        done.catch(() => readied.delete(network.id));
        readied.set(network.id, done);
        mtus.set(network.id, mtuOf(network));
      }
      return done;
    },
    async tearDown(network) {
      readied.delete(network.id);
      await removeRules(rulesOf(network));
      await removeLink(bridgeNameOf(network));
    },
    unplumb: (attachment, pid) =>
      removeLink(attachment.hostInterface).then(
        () => undefined,
        () => removeInterface(attachment.interface, pid),
      ),
    forwardPorts: (attachment, mappings) => addRules(portRulesOf(attachment, mappings)),
    stopForwarding: (attachment, mappings) => removeRules(portRulesOf(attachment, mappings)),
    async plumb(attachments, pid) {
      for (const a of attachments) {
        await connectInterface({
          pid,
          bridge: a.bridge,
          hostName: a.hostInterface,
          name: a.interface,
          mac: a.mac,
          address: `${a.ip}/${a.prefix}`,
          ...(a.defaultRoute ? { gateway: a.gateway } : {}),
          mtu: mtus.get(a.networkId) ?? 1500,
        });
      }
    },
  };
}
