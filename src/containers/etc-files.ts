import { readFileSync, writeFileSync } from 'node:fs';

import type { HostConfig } from '../api-types/index.js';
import { hasErrno, invalidArgument } from '../core/index.js';
import type { ContainerPaths } from './container-paths.js';

const DEFAULT_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** `--add-host` entries (`name:ip` or `name=ip`) → `ip\tname` lines; Docker's error otherwise. */
export function extraHostLines(extraHosts: readonly string[]): string[] {
  return extraHosts.map((entry) => {
    const sep = entry.includes('=') ? entry.indexOf('=') : entry.indexOf(':');
    const name = sep < 0 ? '' : entry.slice(0, sep);
    let ip = sep < 0 ? '' : entry.slice(sep + 1);
    if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (name === '' || ip === '' || !/^[0-9a-fA-F.:]+$/.test(ip)) {
      throw invalidArgument(`invalid IP address in add-host: "${ip}"`);
    }
    return `${ip}\t${name}`;
  });
}

/** The container's /etc/hosts: Docker's defaults, extra hosts, then its own name if known. */
export function hostsFile(options: {
  extraHosts: readonly string[];
  ip?: string;
  hostname: string;
  domainname: string;
  /** `--link`ed containers: their address and names (alias, hostname, name). */
  links?: ReadonlyArray<{ ip: string; names: readonly string[] }>;
}): string {
  const lines = [
    ...DEFAULT_HOSTS,
    ...extraHostLines(options.extraHosts),
    ...(options.links ?? []).map((l) => `${l.ip}\t${l.names.join(' ')}`),
  ];
  if (options.ip) {
    const fqdn = options.domainname ? `${options.hostname}.${options.domainname} ` : '';
    lines.push(`${options.ip}\t${fqdn}${options.hostname}`);
  }
  return lines.join('\n') + '\n';
}

/** The values of a resolv.conf's `key` lines (`nameserver`, `search`, `options`). */
export function resolvConfValues(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith(`${key} `) || l.trim().startsWith(`${key}\t`))
    .flatMap((l) => l.trim().split(/\s+/).slice(1));
}

/** The host's nameservers (from /etc/resolv.conf; none without one). */
export function hostNameservers(): Promise<string[]> {
  return Promise.resolve(resolvConfValues(readHostFile('/etc/resolv.conf'), 'nameserver'));
}

/**
 * The container's resolv.conf: the host's, with `--dns`, `--dns-search` and `--dns-option`
 * replacing its nameservers, search domains and options, as Docker does. Loopback nameservers
 * of the host are useless in a container of its own network namespace and are dropped. On a
 * user-defined network the embedded resolver (`embeddedDns`) is the only nameserver.
 */
export function resolvConf(
  host: string,
  options: HostConfig,
  hostNetwork: boolean,
  embeddedDns?: string,
): string {
  const pick = (key: string) => resolvConfValues(host, key);
  let servers = options.Dns?.length ? options.Dns : pick('nameserver');
  if (!hostNetwork && !options.Dns?.length) {
    servers = servers.filter((s) => !s.startsWith('127.') && s !== '::1');
  }
  const search = options.DnsSearch?.length ? options.DnsSearch : pick('search');
  const opts = options.DnsOptions?.length ? options.DnsOptions : pick('options');
  const out: string[] = [];
  if (search.length > 0 && !(search.length === 1 && search[0] === '.')) {
    out.push(`search ${search.join(' ')}`);
  }
  for (const server of embeddedDns ? [embeddedDns] : servers) out.push(`nameserver ${server}`);
  if (opts.length > 0) out.push(`options ${opts.join(' ')}`);
  return out.join('\n') + '\n';
}

/** A small file of the host's /etc (in the page cache): read at once. */
function readHostFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return '';
    throw err;
  }
}

/**
 * Writes /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, before its process
 * starts (nothing reads them then). They are rewritten in place: the same files (inodes) from
 * start to start, made again at each start, so neither a temp file nor a rename is needed.
 */
export function writeEtcFiles(
  paths: ContainerPaths,
  options: {
    hostname: string;
    domainname: string;
    hostConfig: HostConfig;
    ip?: string;
    embeddedDns?: string;
    links?: ReadonlyArray<{ ip: string; names: readonly string[] }>;
  },
): void {
  const hostNetwork = options.hostConfig.NetworkMode === 'host';
  const hostResolv = readHostFile('/etc/resolv.conf');
  const extraHosts = options.hostConfig.ExtraHosts ?? [];
  const hosts = hostNetwork
    ? readHostFile('/etc/hosts') +
      extraHostLines(extraHosts)
        .map((l) => `${l}\n`)
        .join('')
    : hostsFile({
        extraHosts,
        hostname: options.hostname,
        domainname: options.domainname,
        ...(options.ip ? { ip: options.ip } : {}),
        ...(options.links ? { links: options.links } : {}),
      });
  writeFileSync(paths.hostname, `${options.hostname}\n`);
  writeFileSync(paths.hosts, hosts);
  writeFileSync(
    paths.resolvConf,
    resolvConf(hostResolv, options.hostConfig, hostNetwork, options.embeddedDns),
  );
}
