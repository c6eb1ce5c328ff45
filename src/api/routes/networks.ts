import type { EndpointConfig, Network, NetworkCreateRequest } from '../../api-types/index.js';
import { type FilterArgs, invalidArgument } from '../../core/index.js';
import type { NetworkEndpoint, NetworkRecord } from '../../network/index.js';
import { queryFilters, readJsonBody } from '../request.js';
import type { Route } from '../router.js';
import { compareApiVersions } from '../version.js';

/** What the network routes need from the daemon. */
export interface NetworksBackend {
  list(filters: FilterArgs): NetworkRecord[];
  resolve(ref: string): NetworkRecord;
  endpoints(networkId: string): NetworkEndpoint[];
  create(request: NetworkCreateRequest): Promise<{ id: string; warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters: FilterArgs): Promise<string[]>;
  connect(network: string, container: string, config: EndpointConfig): Promise<void>;
  disconnect(network: string, container: string): Promise<void>;
}

/** A network as dockerd sends it; `EnableIPv4` from API 1.47. */
export function toWireNetwork(
  record: NetworkRecord,
  endpoints: readonly NetworkEndpoint[],
  apiVersion: string,
): Network {
  const containers: Network['Containers'] = {};
  for (const e of endpoints) {
    containers[e.containerId] = {
      Name: e.name,
      EndpointID: e.endpointId,
      MacAddress: e.macAddress,
      IPv4Address: e.ipv4Address,
      IPv6Address: '',
    };
  }
  const pools = record.ipam.pools.map((p) => ({
    Subnet: p.subnet,
    ...(p.ipRange ? { IPRange: p.ipRange } : {}),
    Gateway: p.gateway,
    ...(p.auxAddresses ? { AuxiliaryAddresses: { ...p.auxAddresses } } : {}),
  }));
  return {
    Name: record.name,
    Id: record.id,
    Created: record.created,
    Scope: 'local',
    Driver: record.driver,
    ...(compareApiVersions(apiVersion, '1.47') >= 0 ? { EnableIPv4: true } : {}),
    EnableIPv6: false,
    IPAM: {
      Driver: record.ipam.driver,
      // dockerd keeps no IPAM options for its predefined networks: null there, {} otherwise.
      Options: record.predefined ? null : { ...record.ipam.options },
      Config: record.predefined && pools.length === 0 ? null : pools,
    },
    Internal: record.internal,
    Attachable: record.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...record.options },
    Labels: { ...record.labels },
  };
}

export function networkRoutes(backend: NetworksBackend): Route[] {
  const wire = (record: NetworkRecord, apiVersion: string) =>
    toWireNetwork(record, backend.endpoints(record.id), apiVersion);
  return [
    {
      method: 'GET',
      path: '/networks',
      handler: (ctx) => ({
        status: 200,
        body: backend.list(queryFilters(ctx.query)).map((r) => wire(r, ctx.apiVersion)),
      }),
    },
    {
      method: 'GET',
      path: '/networks/{id}',
      handler: (ctx) => ({
        status: 200,
        body: wire(backend.resolve(ctx.params['id'] ?? ''), ctx.apiVersion),
      }),
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async (ctx) => {
        const body = (await readJsonBody(ctx.req)) as NetworkCreateRequest | undefined;
        if (!body) throw invalidArgument('network create request cannot be empty');
        const created = await backend.create(body);
        return { status: 201, body: { Id: created.id, Warning: created.warning } };
      },
    },
    {
      method: 'DELETE',
      path: '/networks/{id}',
      handler: async (ctx) => {
        await backend.remove(ctx.params['id'] ?? '');
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/connect',
      handler: async (ctx) => {
        const body = ((await readJsonBody(ctx.req)) ?? {}) as {
          Container?: string;
          EndpointConfig?: EndpointConfig | null;
        };
        await backend.connect(
          ctx.params['id'] ?? '',
          body.Container ?? '',
          body.EndpointConfig ?? {},
        );
        return { status: 200 };
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/disconnect',
      handler: async (ctx) => {
        const body = ((await readJsonBody(ctx.req)) ?? {}) as { Container?: string };
        await backend.disconnect(ctx.params['id'] ?? '', body.Container ?? '');
        return { status: 200 };
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async (ctx) => {
        const names = await backend.prune(queryFilters(ctx.query));
        return { status: 200, body: { NetworksDeleted: names } };
      },
    },
  ];
}
