import { access, writeFile } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';
import { runHostCommand } from './host-command.js';

/*
 * Network links through iproute2: Linux bridges, and a container's veth pair. Each operation is
 * one `ip -batch` process (two for a container: the host side, then its own namespace).
 */

/** Whether a network interface of that name exists in moord's namespace. */
export async function linkExists(name: string): Promise<boolean> {
  try {
    await access(`/sys/class/net/${name}`);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function ipBatch(lines: readonly string[], namespacePid?: number): Promise<string> {
  const input = lines.join('\n') + '\n';
  return namespacePid === undefined
    ? runHostCommand('ip', ['-batch', '-'], { input, packageName: 'iproute2' })
    : runHostCommand('nsenter', ['-t', String(namespacePid), '-n', 'ip', '-batch', '-'], {
        input,
        packageName: 'util-linux',
      });
}

export interface BridgeSpec {
  name: string;
  /** The gateway with the subnet's prefix: `172.17.0.1/16`. */
  address: string;
  mtu: number;
}

/** The ip(8) commands that make a bridge with its gateway address, up (pure). */
export function bridgeCommands(bridge: BridgeSpec): string[] {
  return [
    `link add name ${bridge.name} mtu ${bridge.mtu} type bridge`,
    `addr add ${bridge.address} dev ${bridge.name}`,
    `link set ${bridge.name} up`,
  ];
}

/** Creates the bridge unless it exists; returns whether it was created. */
export async function ensureBridge(bridge: BridgeSpec): Promise<boolean> {
  if (await linkExists(bridge.name)) return false;
  try {
    await ipBatch(bridgeCommands(bridge));
  } catch (err) {
    await removeLink(bridge.name);
    throw err;
  }
  return true;
}

/** Deletes a link (a bridge, a veth); missing is fine. */
export async function removeLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  await ipBatch([`link del ${name}`]);
}

export interface ContainerInterface {
  /** The container's init: its network namespace gets the interface. */
  pid: number;
  bridge: string;
  /** Host side name (`veth` + 7 hex digits, as Docker's). */
  hostName: string;
  /** Name inside the container (`eth0`, `eth1`, ...). */
  name: string;
  mac: string;
  /** `a.b.c.d/prefix`. */
  address: string;
  /** Default route through this gateway (the container's first network only). */
  gateway?: string;
  mtu: number;
}

/** The ip(8) commands for a container's interface: host side, then inside (pure). */
export function interfaceCommands(i: ContainerInterface): { host: string[]; inside: string[] } {
  return {
    host: [
      `link add ${i.hostName} mtu ${i.mtu} type veth peer name ${i.name} mtu ${i.mtu} netns ${i.pid}`,
      `link set ${i.hostName} master ${i.bridge} up`,
    ],
    inside: [
      `link set ${i.name} address ${i.mac}`,
      `addr add ${i.address} dev ${i.name}`,
      `link set ${i.name} up`,
      ...(i.gateway ? [`route add default via ${i.gateway}`] : []),
    ],
  };
}

/**
 * Gives a created container (its init waiting to be started) an interface on a bridge. The
 * pair goes away with the container's namespace; a failure half way removes the host side.
 */
export async function connectInterface(i: ContainerInterface): Promise<void> {
  const commands = interfaceCommands(i);
  try {
    await ipBatch(commands.host);
    await ipBatch(commands.inside, i.pid);
  } catch (err) {
    await removeLink(i.hostName).catch(() => undefined);
    throw err;
  }
}

/** Lets a bridge carry packets with loopback sources (published ports used on 127.0.0.1). */
export async function enableRouteLocalnet(bridge: string): Promise<void> {
  await writeFile(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1\n');
}

/** Deletes an interface inside a container's network namespace (a veth takes its peer). */
export async function removeInterface(name: string, namespacePid: number): Promise<void> {
  await ipBatch([`link del ${name}`], namespacePid);
}

/** Turns on IPv4 forwarding (bridged containers reach out through the host). */
export async function enableIpForwarding(): Promise<void> {
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
}

/** The ip(8) commands for a dummy link (a macvlan network's parent when none is given). */
export function dummyCommands(name: string): string[] {
  return [`link add ${name} type dummy`, `link set ${name} up`];
}

export interface MacvlanInterface {
  pid: number;
  parent: string;
  /** Name inside the container (`eth0`, ...). */
  name: string;
  mode: string;
  mac: string;
  address: string;
  gateway?: string;
}

/**
 * A container's macvlan interface (pure): made on the parent straight into the container's
 * namespace, then configured there as a veth's inner end.
 */
export function macvlanCommands(i: MacvlanInterface): { host: string[]; inside: string[] } {
  return {
    host: [`link add name ${i.name} link ${i.parent} netns ${i.pid} type macvlan mode ${i.mode}`],
    inside: [
      `link set ${i.name} address ${i.mac}`,
      `addr add ${i.address} dev ${i.name}`,
      `link set ${i.name} up`,
      ...(i.gateway ? [`route add default via ${i.gateway}`] : []),
    ],
  };
}

/** Makes a dummy link unless it exists; returns whether it was made. */
export async function ensureDummy(name: string): Promise<boolean> {
  if (await linkExists(name)) return false;
  await ipBatch(dummyCommands(name));
  return true;
}

/**
 * Checks that the kernel can make a macvlan on `parent` by making one and deleting it; the
 * kernels without the link type answer "Unknown device type".
 */
export async function probeMacvlan(parent: string, probeName: string): Promise<void> {
  await ipBatch([`link add ${probeName} link ${parent} type macvlan mode bridge`]);
  await removeLink(probeName);
}

export async function connectMacvlan(i: MacvlanInterface): Promise<void> {
  const commands = macvlanCommands(i);
  await ipBatch(commands.host);
  await ipBatch(commands.inside, i.pid);
}
