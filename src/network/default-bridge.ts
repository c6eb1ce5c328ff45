import { formatIpv4, overlaps, parseCidr } from '../core/index.js';
import { nextFreePool } from './ipam.js';
import type { DefaultBridge } from './network-service.js';

/**
 * The default bridge moord uses (pure): Docker's `docker0` and 172.17.0.0/16 unless the host
 * has them already — another engine's docker0, or a route into the range on another
 * interface — then `moor0` and the next free default pool. A `--bridge` or `--bip` given
 * explicitly is kept as it is; so is a bridge moord took on an earlier start (`current`).
 */
export function chooseDefaultBridge(options: {
  wanted: DefaultBridge;
  given: { bridge: boolean; bip: boolean };
  /** The bridge name the default network had (it is moord's own then). */
  current: string | undefined;
  docker0Exists: boolean;
  routes: ReadonlyArray<{ iface: string; destination: string }>;
}): DefaultBridge {
  const { wanted, given } = options;
  let bridgeName = wanted.bridgeName;
  if (!given.bridge && bridgeName === 'docker0') {
    if (options.current && options.current !== 'docker0') bridgeName = options.current;
    else if (options.docker0Exists && options.current !== 'docker0') bridgeName = 'moor0';
  }
  if (given.bip) return { ...wanted, bridgeName };
  const foreign = options.routes.filter((r) => r.iface !== bridgeName).map((r) => r.destination);
  const subnet = parseCidr(wanted.subnet);
  if (!foreign.some((d) => overlaps(parseCidr(d), subnet))) return { ...wanted, bridgeName };
  const free = parseCidr(nextFreePool(foreign));
  const moved: DefaultBridge = {
    ...wanted,
    bridgeName,
    subnet: `${formatIpv4(free.base)}/${free.prefix}`,
    gateway: formatIpv4(free.base + 1),
  };
  // A --fixed-cidr of the range given up does not fit the new one.
  delete moved.ipRange;
  return moved;
}
