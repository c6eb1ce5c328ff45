import {
  contains,
  forbidden,
  formatCidr,
  formatIpv4,
  invalidArgument,
  lastAddress,
  overlaps,
  parseCidr,
  parseIpv4,
} from '../core/index.js';

/*
 * IPv4 address management for one network, pure: subnets as CIDRs, the gateway, an optional
 * range that container addresses come from, and the addresses handed out.
 */

/** One subnet of a network as stored (Docker's IPAM Config entry, validated). */
export interface IpamPool {
  subnet: string;
  gateway: string;
  /** Where container addresses come from; the whole subnet when absent. */
  ipRange?: string;
  /** Named addresses kept out of allocation (Docker's AuxiliaryAddresses). */
  auxAddresses?: Record<string, string>;
}

export interface PoolRequest {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/**
 * Validates one IPAM Config entry against its subnet, filling in Docker's default gateway
 * (the subnet's first address). `taken` are the subnets of the other networks: an overlap is
 * Docker's "Pool overlaps with other one on this address space" (Forbidden).
 */
export function validatePool(request: PoolRequest, taken: readonly string[]): IpamPool {
  if (!request.Subnet) throw invalidArgument('a subnet is required for an address pool');
  const subnet = parseCidr(request.Subnet);
  for (const other of taken) {
    if (overlaps(subnet, parseCidr(other))) {
      throw forbidden('Pool overlaps with other one on this address space');
    }
  }
  const pool: IpamPool = { subnet: formatCidr(subnet), gateway: '' };
  if (request.IPRange) {
    const range = parseCidr(request.IPRange, 'ip-range');
    if (!contains(subnet, range.base) || !contains(subnet, lastAddress(range))) {
      throw invalidArgument(`no matching subnet for range ${request.IPRange}`);
    }
    pool.ipRange = formatCidr(range);
  }
  if (request.Gateway) {
    const gateway = parseIpv4(request.Gateway);
    if (gateway === undefined) throw invalidArgument(`invalid gateway address: ${request.Gateway}`);
    if (!contains(subnet, gateway)) {
      throw invalidArgument(`no matching subnet for gateway ${request.Gateway}`);
    }
    pool.gateway = formatIpv4(gateway);
  } else {
    pool.gateway = formatIpv4(subnet.base + 1);
  }
  const aux = request.AuxiliaryAddresses ?? {};
  for (const [name, address] of Object.entries(aux)) {
    const ip = parseIpv4(address);
    if (ip === undefined || !contains(subnet, ip)) {
      throw invalidArgument(`no matching subnet for aux-address ${name}=${address}`);
    }
  }
  if (Object.keys(aux).length > 0) pool.auxAddresses = { ...aux };
  return pool;
}

/** An address pool networks get subnets from: `base` cut into blocks of prefix `size`. */
export interface AddressPool {
  base: string;
  size: number;
}

/** Docker's default pools (`--default-address-pool` replaces them), in the order they are used. */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Checks `base=CIDR,size=N` pools as dockerd does (size no shorter than the base's prefix). */
export function validateAddressPool(pool: AddressPool): AddressPool {
  const base = parseCidr(pool.base, 'default-address-pool base');
  if (!Number.isInteger(pool.size) || pool.size < base.prefix || pool.size > 32) {
    throw invalidArgument(
      `invalid default-address-pool: size ${pool.size} for base ${pool.base} (between ${base.prefix} and 32)`,
    );
  }
  return { base: formatCidr(base), size: pool.size };
}

/** The first block of the pools that overlaps none of `taken`, first fit (as dockerd). */
export function nextFreePool(
  taken: readonly string[],
  pools: readonly AddressPool[] = DEFAULT_ADDRESS_POOLS,
): string {
  const used = taken.map((t) => parseCidr(t));
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    const step = 2 ** (32 - pool.size);
    for (let at = base.base; at <= lastAddress(base); at += step) {
      const block = { base: at >>> 0, prefix: pool.size };
      if (!used.some((u) => overlaps(block, u))) return formatCidr(block);
    }
  }
  throw invalidArgument('all predefined address pools have been fully subnetted');
}

/**
 * The next address for a container: from the pool's range (or subnet), skipping the network
 * and broadcast addresses, the gateway, aux addresses and everything in `inUse`. It starts after
 * `last` (the address handed out before), so a released address is not reused at once.
 */
export function allocateAddress(pool: IpamPool, inUse: ReadonlySet<string>, last?: string): string {
  const subnet = parseCidr(pool.subnet);
  const range = pool.ipRange ? parseCidr(pool.ipRange) : subnet;
  const first = Math.max(range.base, subnet.base + 1);
  const end = Math.min(lastAddress(range), lastAddress(subnet) - (subnet.prefix <= 30 ? 1 : 0));
  const reserved = new Set([pool.gateway, ...Object.values(pool.auxAddresses ?? {})]);
  const size = end - first + 1;
  const after = last === undefined ? undefined : parseIpv4(last);
  const start = after !== undefined && after >= first && after < end ? after + 1 : first;
  for (let i = 0; i < size; i++) {
    const candidate = formatIpv4(first + ((start - first + i) % size));
    if (!inUse.has(candidate) && !reserved.has(candidate)) return candidate;
  }
  throw forbidden(`no available IPv4 addresses on this network's address pools: ${pool.subnet}`);
}

/**
 * Checks a fixed address (`--ip`) for a container: inside the pool's subnet (Docker also
 * accepts it outside the range), not the gateway, and not in use.
 */
export function checkFixedAddress(
  pool: IpamPool,
  address: string,
  inUse: ReadonlySet<string>,
): void {
  const ip = parseIpv4(address);
  if (ip === undefined) throw invalidArgument(`invalid IPv4 address: ${address}`);
  if (!contains(parseCidr(pool.subnet), ip)) {
    throw forbidden(`no configured subnet or ip-range contain the IP address ${address}`);
  }
  if (inUse.has(address) || address === pool.gateway) {
    throw forbidden(`Address already in use`);
  }
}
