import { invalidArgument, notImplemented } from './errors.js';

/*
 * IPv4 addresses and CIDR blocks, pure: addresses are plain 32-bit numbers inside, strings at
 * the edges.
 */

export interface Cidr {
  /** The network address (host bits zero). */
  base: number;
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 address as a number; undefined if `text` is not one. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `a.b.c.d/n`; host bits are cleared, as Docker stores the network address. IPv6 is
 * refused as unsupported; anything else as an invalid CIDR.
 */
export function parseCidr(text: string, what = 'subnet'): Cidr {
  const [address = '', prefixText, extra] = text.split('/');
  if (address.includes(':')) {
    throw notImplemented(`IPv6 is not supported by this engine: ${what} ${text}`);
  }
  const ip = parseIpv4(address);
  const prefix = Number(prefixText);
  if (
    ip === undefined ||
    extra !== undefined ||
    prefixText === undefined ||
    !/^\d{1,2}$/.test(prefixText) ||
    prefix > 32
  ) {
    throw invalidArgument(`invalid CIDR address: ${text}`);
  }
  return { base: (ip & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

/** The last address of the block. */
export function lastAddress(cidr: Cidr): number {
  return (cidr.base + 2 ** (32 - cidr.prefix) - 1) >>> 0;
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip <= lastAddress(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}
