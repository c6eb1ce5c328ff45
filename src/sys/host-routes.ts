import { readFile } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';

/** One IPv4 route of the host: the interface and the destination as a CIDR. */
export interface HostRoute {
  iface: string;
  destination: string;
}

/** /proc/net/route's hex, little-endian address → dotted quad. */
function fromHex(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

function prefixOf(maskHex: string): number {
  let n = Number.parseInt(maskHex, 16) >>> 0;
  let bits = 0;
  while (n) {
    bits += n & 1;
    n >>>= 1;
  }
  return bits;
}

/** The routes in /proc/net/route's text, default routes left out (pure). */
export function parseRoutes(text: string): HostRoute[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[7] !== '00000000')
    .map((f) => ({
      iface: f[0] ?? '',
      destination: `${fromHex(f[1] ?? '0')}/${prefixOf(f[7] ?? '0')}`,
    }));
}

/** The host's IPv4 routes (none when /proc/net/route is missing). */
export async function hostRoutes(): Promise<HostRoute[]> {
  try {
    return parseRoutes(await readFile('/proc/net/route', 'utf8'));
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return [];
    throw err;
  }
}
