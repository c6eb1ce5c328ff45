/**
 * `--network` (simple `name` or docker's advanced `name=n,alias=a,ip=...`) with `--ip`,
 * `--ip6`, `--mac-address`, `--network-alias`, `--link` and `--link-local-ip`, turned into
 * HostConfig.NetworkMode and NetworkingConfig.EndpointsConfig as docker's parseNetworkOpts does.
 * Without `--network` the mode is `default` (the daemon picks) and a `default` endpoint carries
 * the per-endpoint options.
 */
import { csvFields } from './run-mounts.js';
import { isMacAddress, sortedRecord } from './run-values.js';

/** One `--network` value (opts.NetworkAttachmentOpts). */
interface Attachment {
  target: string;
  aliases: string[];
  links: string[];
  driverOpts: Record<string, string>;
  ipv4: string;
  ipv6: string;
  macAddress: string;
  linkLocalIps: string[];
  gwPriority: number;
}

export interface NetworkFlags {
  networks: readonly string[];
  aliases: readonly string[];
  links: readonly string[];
  ip: string;
  ip6: string;
  macAddress: string;
  linkLocalIps: readonly string[];
}

/** Docker's EndpointSettings as the CLI sends it: every field, in Go's order. */
export type EndpointBody = Record<string, unknown>;

function emptyAttachment(target: string): Attachment {
  return {
    target,
    aliases: [],
    links: [],
    driverOpts: {},
    ipv4: '',
    ipv6: '',
    macAddress: '',
    linkLocalIps: [],
    gwPriority: 0,
  };
}

/** opts.NetworkOpt.Set. */
function parseAttachment(value: string): Attachment {
  if (!value.includes('=')) return emptyAttachment(value);
  const attachment = emptyAttachment('');
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    if (eq === -1) throw new Error(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    if (key === 'name') attachment.target = val;
    else if (key === 'alias') attachment.aliases.push(val);
    else if (key === 'ip') attachment.ipv4 = val;
    else if (key === 'ip6') attachment.ipv6 = val;
    else if (key === 'mac-address') attachment.macAddress = val;
    else if (key === 'link-local-ip') attachment.linkLocalIps.push(val);
    else if (key === 'gw-priority') attachment.gwPriority = Number(val);
    else if (key === 'driver-opt') {
      const sep = val.indexOf('=');
      if (sep === -1) throw new Error(`invalid key value pair format in driver options`);
      attachment.driverOpts[val.slice(0, sep)] = val.slice(sep + 1);
    } else throw new Error(`invalid field key ${key}`);
  }
  return attachment;
}

const BUILT_IN = new Set(['default', 'bridge', 'host', 'none']);

/** container.NetworkMode.IsUserDefined. */
export function isUserDefined(mode: string): boolean {
  return !BUILT_IN.has(mode) && !mode.startsWith('container:');
}

/** docker's applyContainerOptions: the flat flags go to the first network. */
function applyFlags(n: Attachment, flags: NetworkFlags): void {
  const conflict = (what: string) => new Error(`conflicting options: cannot specify both ${what}`);
  if (n.aliases.length > 0 && flags.aliases.length > 0)
    throw conflict('--network-alias and per-network alias');
  if (n.links.length > 0 && flags.links.length > 0) throw conflict('--link and per-network links');
  if (n.ipv4 !== '' && flags.ip !== '') throw conflict('--ip and per-network IPv4 address');
  if (n.ipv6 !== '' && flags.ip6 !== '') throw conflict('--ip6 and per-network IPv6 address');
  if (n.macAddress !== '' && flags.macAddress !== '') {
    throw conflict('--mac-address and per-network MAC address');
  }
  if (n.linkLocalIps.length > 0 && flags.linkLocalIps.length > 0) {
    throw conflict('--link-local-ip and per-network link-local IP addresses');
  }
  if (flags.aliases.length > 0) n.aliases = [...flags.aliases];
  if (isUserDefined(n.target) && flags.links.length > 0) n.links = [...flags.links];
  if (flags.ip !== '') n.ipv4 = flags.ip;
  if (flags.ip6 !== '') n.ipv6 = flags.ip6;
  if (flags.macAddress !== '') n.macAddress = flags.macAddress;
  if (flags.linkLocalIps.length > 0) n.linkLocalIps = [...flags.linkLocalIps];
}

/** docker's parseNetworkAttachmentOpt; undefined when the endpoint says nothing. */
function endpointOf(n: Attachment): { body: EndpointBody; empty: boolean } {
  if (n.target.trim() === '') throw new Error('no name set for network');
  if (!isUserDefined(n.target)) {
    if (n.aliases.length > 0) {
      throw new Error('network-scoped aliases are only supported for user-defined networks');
    }
    if (n.links.length > 0) throw new Error('links are only supported for user-defined networks');
  }
  if (n.macAddress !== '' && !isMacAddress(n.macAddress)) {
    throw new Error(`${n.macAddress} is not a valid mac address`);
  }
  const hasIpam = n.ipv4 !== '' || n.ipv6 !== '' || n.linkLocalIps.length > 0;
  const ipam: Record<string, unknown> = {};
  if (n.ipv4 !== '') ipam['IPv4Address'] = n.ipv4;
  if (n.ipv6 !== '') ipam['IPv6Address'] = n.ipv6;
  if (n.linkLocalIps.length > 0) ipam['LinkLocalIPs'] = n.linkLocalIps;
  const driverOpts = Object.keys(n.driverOpts).length > 0 ? sortedRecord(n.driverOpts) : null;
  const body: EndpointBody = {
    IPAMConfig: hasIpam ? ipam : null,
    Links: n.links.length > 0 ? n.links : null,
    Aliases: n.aliases.length > 0 ? n.aliases : null,
    MacAddress: n.macAddress,
    DriverOpts: driverOpts,
    GwPriority: n.gwPriority,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
  const empty =
    !hasIpam &&
    n.links.length === 0 &&
    n.aliases.length === 0 &&
    n.macAddress === '' &&
    driverOpts === null &&
    n.gwPriority === 0;
  return { body, empty };
}

/** The network mode and endpoints of the create body. */
export function parseNetworks(flags: NetworkFlags): {
  networkMode: string;
  endpoints: Record<string, EndpointBody>;
} {
  const attachments = flags.networks.map(parseAttachment);
  const endpoints: Record<string, EndpointBody> = {};
  if (attachments.length === 0) {
    const n = emptyAttachment('default');
    applyFlags(n, flags);
    endpoints['default'] = endpointOf(n).body;
    return { networkMode: 'default', endpoints };
  }
  let userDefined = false;
  let builtIn = false;
  attachments.forEach((n, i) => {
    if (isUserDefined(n.target)) userDefined = true;
    else builtIn = true;
    if (i === 0) applyFlags(n, flags);
    const { body, empty } = endpointOf(n);
    if (Object.hasOwn(endpoints, n.target)) {
      throw new Error(`network ${JSON.stringify(n.target)} is specified multiple times`);
    }
    // A single network without options needs no endpoint: the daemon makes one.
    if (i === 0 && attachments.length === 1 && empty) return;
    endpoints[n.target] = body;
  });
  if (userDefined && builtIn) {
    throw new Error(
      'conflicting options: cannot attach both user-defined and non-user-defined network-modes',
    );
  }
  return { networkMode: attachments[0]?.target ?? 'default', endpoints };
}
