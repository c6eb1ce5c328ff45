import { isIP } from 'node:net';

import { invalidArgument } from './errors.js';

export type HostAddress =
  { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_UNIX_SOCKET = '/run/moor.sock';

/**
 * Parses a `-H`/DOCKER_HOST value as docker does: `unix:///path` (`unix://` alone is the
 * default socket), `tcp://host:port` (empty host is localhost; the port defaults to 2376 with
 * TLS and 2375 without), a bare `/path` as a unix socket. `fd://` (systemd activation) and
 * `ssh://` are refused with a clear message.
 */
export function parseHostAddress(value: string, tls: boolean): HostAddress {
  const text = value.trim();
  if (text.startsWith('/')) return { kind: 'unix', path: text };
  const scheme = /^([a-z]+):\/\/(.*)$/.exec(text);
  if (!scheme)
    throw invalidArgument(
      `invalid host address ${JSON.stringify(value)}: expected unix:///path or tcp://host:port`,
    );
  const [, proto, rest = ''] = scheme;
  if (proto === 'unix') return { kind: 'unix', path: rest === '' ? DEFAULT_UNIX_SOCKET : rest };
  if (proto === 'tcp' || proto === 'http' || proto === 'https') {
    const hostPort = rest.replace(/\/+$/, '');
    if (hostPort.includes('/'))
      throw invalidArgument(`invalid host address ${JSON.stringify(value)}: no path allowed`);
    let host = hostPort;
    let portText = '';
    const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostPort);
    if (bracketed) {
      host = bracketed[1] as string;
      portText = bracketed[2] ?? '';
    } else if (hostPort.includes(':')) {
      const idx = hostPort.lastIndexOf(':');
      host = hostPort.slice(0, idx);
      portText = hostPort.slice(idx + 1);
    }
    if (host === '') host = '127.0.0.1';
    const port = portText === '' ? (tls || proto === 'https' ? 2376 : 2375) : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalidArgument(
        `invalid host address ${JSON.stringify(value)}: invalid port ${portText}`,
      );
    }
    return { kind: 'tcp', host, port };
  }
  if (proto === 'fd') {
    throw invalidArgument(
      'fd:// (systemd socket activation) is not supported; use unix:// or tcp://',
    );
  }
  throw invalidArgument(
    `invalid host address ${JSON.stringify(value)}: unsupported protocol ${proto}`,
  );
}

/** True for addresses that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

export function formatHostAddress(address: HostAddress): string {
  if (address.kind === 'unix') return `unix://${address.path}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}
