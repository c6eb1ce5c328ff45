import type { IpamPool } from './ipam.js';

/** The network drivers moor has: Docker's names. */
export type NetworkDriver = 'bridge' | 'host' | 'null' | 'macvlan';

/** A network as stored: `<data-root>/network/<id>.json`. */
export interface NetworkRecord {
  id: string;
  name: string;
  /** RFC 3339 with nanoseconds. */
  created: string;
  driver: NetworkDriver;
  /** One of the predefined networks (`bridge`, `host`, `none`): never removed. */
  predefined: boolean;
  internal: boolean;
  attachable: boolean;
  ipam: {
    driver: string;
    options: Record<string, string>;
    /** Empty for host and none. */
    pools: IpamPool[];
  };
  /** Driver options, as given (and Docker's defaults for the default bridge). */
  options: Record<string, string>;
  labels: Record<string, string>;
}
