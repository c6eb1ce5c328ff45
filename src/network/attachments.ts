import { createHash, randomBytes } from 'node:crypto';

import { forbidden, parseCidr, parseIpv4 } from '../core/index.js';
import { allocateAddress, checkFixedAddress } from './ipam.js';
import type { NetworkRecord } from './network-record.js';

/** A container's place on a network while it runs (stored with the container's state). */
export interface NetworkAttachment {
  networkId: string;
  containerId: string;
  containerName: string;
  /** The name the container's NetworkSettings.Networks uses. */
  networkName: string;
  endpointId: string;
  /** The address without prefix, and the prefix. */
  ip: string;
  prefix: number;
  gateway: string;
  /** Whether the container's default route goes through this network's gateway. */
  defaultRoute: boolean;
  mac: string;
  /** Host side: the bridge and the veth. */
  bridge: string;
  hostInterface: string;
  /** Inside the container: `eth0`, `eth1`, ... */
  interface: string;
  /** The --ip the container asked for, if any. */
  fixedIp?: string;
  /** Other names it answers to on this network (`--network-alias`). */
  aliases?: string[];
  /** The network's embedded resolver, for the container's resolv.conf (user networks). */
  dns?: string;
  /** Set on a macvlan network: the interface is a macvlan of `bridge` (the parent). */
  macvlanMode?: string;
  /** `--link` aliases of this container (lowercase alias → container name). */
  links?: Record<string, string>;
}

/** Docker's MAC for an address: 02:42 then the four bytes of the IPv4 address. */
export function macFor(ip: string): string {
  const n = parseIpv4(ip) ?? 0;
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The Linux bridge of a bridge network: its `com.docker.network.bridge.name`, or br-<id>. */
export function bridgeNameOf(network: NetworkRecord): string {
  return network.options['com.docker.network.bridge.name'] || `br-${network.id.slice(0, 12)}`;
}

/**
 * Which addresses are taken on each network, by which container (in memory; rebuilt from the
 * running containers' records when moord starts). Reserving is synchronous, so concurrent
 * starts never get the same address; nothing here takes a lock across networks.
 */
export class AttachmentRegistry {
  private readonly byNetwork = new Map<string, Map<string, NetworkAttachment>>();
  private readonly lastIp = new Map<string, string>();

  private entries(networkId: string): Map<string, NetworkAttachment> {
    let entries = this.byNetwork.get(networkId);
    if (!entries) {
      entries = new Map();
      this.byNetwork.set(networkId, entries);
    }
    return entries;
  }

  /** The attachments on a network. */
  on(networkId: string): NetworkAttachment[] {
    return [...(this.byNetwork.get(networkId)?.values() ?? [])];
  }

  /** Records attachments that exist already (a running container at moord's start). */
  restore(containerId: string, attachments: readonly NetworkAttachment[]): void {
    for (const a of attachments) this.entries(a.networkId).set(containerId, a);
  }

  /**
   * Reserves an address on `network` for a container: `fixedIp` if given (Docker's errors when
   * it is outside the subnet or taken), or the next free one of the first pool.
   */
  reserve(
    network: NetworkRecord,
    container: { id: string; name: string; index: number; gateway: boolean },
    fixedIp?: string,
  ): NetworkAttachment {
    const pool = network.ipam.pools[0];
    if (!pool) throw forbidden(`network ${network.name} has no IPv4 address pool`);
    const entries = this.entries(network.id);
    if (entries.has(container.id)) {
      throw forbidden(
        `endpoint with name ${container.id} already exists in network ${network.name}`,
      );
    }
    const inUse = new Set([...entries.values()].map((a) => a.ip));
    let ip: string;
    if (fixedIp) {
      checkFixedAddress(pool, fixedIp, inUse);
      ip = fixedIp;
    } else {
      ip = allocateAddress(pool, inUse, this.lastIp.get(network.id));
      this.lastIp.set(network.id, ip);
    }
    const attachment: NetworkAttachment = {
      networkId: network.id,
      containerId: container.id,
      containerName: container.name,
      networkName: network.name,
      endpointId: createHash('sha256')
        .update(`${network.id}/${container.id}/${randomBytes(8).toString('hex')}`)
        .digest('hex'),
      ip,
      prefix: parseCidr(pool.subnet).prefix,
      gateway: pool.gateway,
      defaultRoute: container.gateway,
      mac: macFor(ip),
      bridge: bridgeNameOf(network),
      hostInterface: `veth${randomBytes(4).toString('hex').slice(0, 7)}`,
      interface: `eth${container.index}`,
      ...(fixedIp ? { fixedIp } : {}),
    };
    entries.set(container.id, attachment);
    return attachment;
  }

  /** Frees a container's address on one network. */
  releaseOne(networkId: string, containerId: string): void {
    this.byNetwork.get(networkId)?.delete(containerId);
  }

  /** Frees every address of a container. */
  release(containerId: string): void {
    for (const entries of this.byNetwork.values()) entries.delete(containerId);
  }
}
