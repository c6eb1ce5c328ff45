import type { IpamConfig, Network, NetworkCreateRequest } from '../../api-types/index.js';
import { ApiError, escapePath } from '../../client/index.js';
import {
  type FlagSpec,
  contains,
  flagBool,
  flagList,
  flagString,
  lastAddress,
  parseCidr,
  parseIpv4,
} from '../../core/index.js';
import { FORMAT_HELP, INSPECT_FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { errorText, isApiStatus } from '../error-text.js';
import { filtersQuery, parseFilters } from '../filter-flag.js';
import { goTimeString } from '../human-time.js';
import { confirm } from '../prompt.js';
import { QUIET_FORMAT, type Row, renderList, truncateId } from '../table.js';
import { fetchInspected } from '../inspect-fetch.js';
import { typedNetwork } from '../inspect-types.js';
import { runInspect } from './image-inspect.js';
import { keyValueMap } from '../run-values.js';

const LS_FLAGS: FlagSpec[] = [
  {
    name: 'filter',
    short: 'f',
    type: 'list',
    value: 'filter',
    help: 'Provide filter values (e.g. "driver=bridge")',
  },
  { name: 'format', type: 'string', help: FORMAT_HELP },
  { name: 'no-trunc', type: 'bool', help: 'Do not truncate the output' },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Only display network IDs' },
];

const NETWORK_HEADERS: Row = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

function networkRow(network: Network, trunc: boolean): Row {
  return {
    ID: trunc ? truncateId(network.Id) : network.Id,
    Name: network.Name,
    Driver: network.Driver,
    Scope: network.Scope,
    IPv6: String(network.EnableIPv6),
    Internal: String(network.Internal),
    Labels: Object.entries(network.Labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    CreatedAt: goTimeString(Math.floor(Date.parse(network.Created) / 1000)),
  };
}

export const networkLsCommand: Command = {
  name: 'network ls',
  summary: 'List networks',
  usage: 'moor network ls [OPTIONS]',
  aliases: ['network ls', 'network list'],
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, LS_FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const filters = parseFilters(flagList(flags, 'filter'));
    const networks = await ctx.client().json<Network[]>('GET', '/networks', {
      query: { filters: filtersQuery(filters) },
    });
    // docker lists networks by name.
    networks.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    const source = flagString(flags, 'format') || 'table';
    const format =
      source === 'table'
        ? flagBool(flags, 'quiet')
          ? QUIET_FORMAT
          : 'table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}'
        : source;
    const trunc = !flagBool(flags, 'no-trunc');
    ctx.stdout.write(
      renderList(
        format,
        networks.map((n) => networkRow(n, trunc)),
        NETWORK_HEADERS,
      ),
    );
    return 0;
  },
};

export const networkInspectCommand: Command = {
  name: 'network inspect',
  summary: 'Display detailed information on one or more networks',
  usage: 'moor network inspect [OPTIONS] NETWORK [NETWORK...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        { name: 'format', short: 'f', type: 'string', help: INSPECT_FORMAT_HELP },
        { name: 'verbose', short: 'v', type: 'bool', help: 'Verbose output for diagnostics' },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    return runInspect(ctx, flags.args, flagString(flags, 'format') ?? '', async (ref) => {
      const inspected = await fetchInspected(ctx, `/networks/${escapePath(ref)}`);
      return { ...inspected, typed: typedNetwork(inspected.value) };
    });
  },
};

const CREATE_FLAGS: FlagSpec[] = [
  { name: 'attachable', type: 'bool', help: 'Enable manual container attachment' },
  {
    name: 'aux-address',
    type: 'list',
    value: 'map',
    help: 'Auxiliary IPv4 or IPv6 addresses used by Network driver',
  },
  {
    name: 'driver',
    short: 'd',
    type: 'string',
    value: 'string',
    help: 'Driver to manage the Network (default "bridge")',
  },
  {
    name: 'gateway',
    type: 'list',
    value: 'strings',
    help: 'IPv4 or IPv6 Gateway for the master subnet',
  },
  { name: 'internal', type: 'bool', help: 'Restrict external access to the network' },
  {
    name: 'ip-range',
    type: 'list',
    value: 'strings',
    help: 'Allocate container ip from a sub-range',
  },
  { name: 'ipam-driver', type: 'string', value: 'string', help: 'IP Address Management Driver' },
  {
    name: 'ipam-opt',
    type: 'list',
    value: 'map',
    help: 'Set IPAM driver specific options (default map[])',
  },
  { name: 'ipv6', type: 'bool', help: 'Enable or disable IPv6 networking' },
  { name: 'label', type: 'list', value: 'list', help: 'Set metadata on a network' },
  {
    name: 'opt',
    short: 'o',
    type: 'list',
    value: 'map',
    help: 'Set driver specific options (default map[])',
  },
  {
    name: 'subnet',
    type: 'list',
    value: 'strings',
    help: 'Subnet in CIDR format that represents a network segment',
  },
];

/**
 * docker's consolidateIpam: each ip-range, gateway and aux address goes with the subnet that
 * contains it; the CLI refuses what fits none, as docker's does.
 */
export function ipamConfigs(options: {
  subnets: readonly string[];
  ranges: readonly string[];
  gateways: readonly string[];
  aux: Record<string, string>;
}): IpamConfig[] {
  const { subnets, ranges, gateways, aux } = options;
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const configs: IpamConfig[] = subnets.map((s) => ({ Subnet: s }));
  const owner = (address: string, what: string): IpamConfig => {
    const range = address.includes('/') ? parseCidr(address, what) : undefined;
    const ip = range ? range.base : parseIpv4(address);
    const last = range ? lastAddress(range) : ip;
    const found = configs.find((c) => {
      const subnet = parseCidr(c.Subnet ?? '');
      return (
        ip !== undefined && last !== undefined && contains(subnet, ip) && contains(subnet, last)
      );
    });
    if (!found) throw new Error(`no matching subnet for ${what} ${address}`);
    return found;
  };
  for (const range of ranges) {
    const config = owner(range, 'range');
    if (config.IPRange)
      throw new Error(
        `cannot configure multiple ranges (${range}, ${config.IPRange}) on the same subnet (${config.Subnet})`,
      );
    config.IPRange = range;
  }
  for (const gateway of gateways) {
    const config = owner(gateway, 'gateway');
    if (config.Gateway)
      throw new Error(
        `cannot configure multiple gateways (${gateway}, ${config.Gateway}) for the same subnet (${config.Subnet})`,
      );
    config.Gateway = gateway;
  }
  for (const [name, address] of Object.entries(aux)) {
    const config = owner(address, 'aux-address');
    config.AuxiliaryAddresses = { ...(config.AuxiliaryAddresses ?? {}), [name]: address };
  }
  return configs;
}

export const networkCreateCommand: Command = {
  name: 'network create',
  summary: 'Create a network',
  usage: 'moor network create [OPTIONS] NETWORK',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, CREATE_FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 1, 1);
    const request: NetworkCreateRequest = {
      Name: flags.args[0] ?? '',
      Driver: flagString(flags, 'driver') || 'bridge',
      Scope: '',
      EnableIPv6: flagBool(flags, 'ipv6'),
      IPAM: {
        Driver: flagString(flags, 'ipam-driver') || 'default',
        Config: ipamConfigs({
          subnets: flagList(flags, 'subnet'),
          ranges: flagList(flags, 'ip-range'),
          gateways: flagList(flags, 'gateway'),
          aux: keyValueMap(flagList(flags, 'aux-address')),
        }),
        Options: keyValueMap(flagList(flags, 'ipam-opt')),
      },
      Internal: flagBool(flags, 'internal'),
      Attachable: flagBool(flags, 'attachable'),
      Ingress: false,
      ConfigOnly: false,
      Options: keyValueMap(flagList(flags, 'opt')),
      Labels: keyValueMap(flagList(flags, 'label')),
    };
    const created = await ctx
      .client()
      .json<{ Id: string; Warning?: string }>('POST', '/networks/create', { body: request });
    if (created.Warning) ctx.stderr.write(`${created.Warning}\n`);
    ctx.stdout.write(`${created.Id}\n`);
    return 0;
  },
};

export const networkRmCommand: Command = {
  name: 'network rm',
  summary: 'Remove one or more networks',
  usage: 'moor network rm NETWORK [NETWORK...]',
  aliases: ['network rm', 'network remove'],
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'force',
          short: 'f',
          type: 'bool',
          help: 'Do not error if the network does not exist',
        },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const force = flagBool(flags, 'force');
    let failed = false;
    for (const name of flags.args) {
      try {
        await ctx.client().json('DELETE', `/networks/${escapePath(name)}`);
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (force && isApiStatus(err, 404)) continue;
        ctx.stderr.write(`${errorText(err)}\n`);
        failed = true;
      }
    }
    if (!failed) return 0;
    // docker ends a removal that failed for some network with its exit status, printed.
    ctx.stderr.write('exit status 1\n');
    return 1;
  },
};

const PRUNE_WARNING =
  'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

export const networkPruneCommand: Command = {
  name: 'network prune',
  summary: 'Remove all unused networks',
  usage: 'moor network prune [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'filter',
          type: 'list',
          value: 'filter',
          help: 'Provide filter values (e.g. "until=<timestamp>")',
        },
        { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const filters = parseFilters(flagList(flags, 'filter'), '--filter');
    if (!flagBool(flags, 'force') && !(await confirm(ctx, PRUNE_WARNING))) return 0;
    const report = await ctx
      .client()
      .json<{ NetworksDeleted?: string[] | null }>('POST', '/networks/prune', {
        query: { filters: filtersQuery(filters) },
      });
    const deleted = report.NetworksDeleted ?? [];
    if (deleted.length > 0) ctx.stdout.write(`Deleted Networks:\n${deleted.join('\n')}\n\n`);
    return 0;
  },
};

export const networkConnectCommand: Command = {
  name: 'network connect',
  summary: 'Connect a container to a network',
  usage: 'moor network connect [OPTIONS] NETWORK CONTAINER',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'alias',
          type: 'list',
          value: 'strings',
          help: 'Add network-scoped alias for the container',
        },
        {
          name: 'ip',
          type: 'string',
          value: 'string',
          help: 'IPv4 address (e.g., "172.30.100.104")',
        },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 2, 2);
    const [network = '', container = ''] = flags.args;
    const ip = flagString(flags, 'ip');
    const aliases = flagList(flags, 'alias');
    await ctx.client().json('POST', `/networks/${escapePath(network)}/connect`, {
      body: {
        Container: container,
        EndpointConfig: {
          ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}),
          ...(aliases.length > 0 ? { Aliases: aliases } : {}),
        },
      },
    });
    return 0;
  },
};

export const networkDisconnectCommand: Command = {
  name: 'network disconnect',
  summary: 'Disconnect a container from a network',
  usage: 'moor network disconnect [OPTIONS] NETWORK CONTAINER',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'force',
          short: 'f',
          type: 'bool',
          help: 'Force the container to disconnect from a network',
        },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 2, 2);
    const [network = '', container = ''] = flags.args;
    await ctx.client().json('POST', `/networks/${escapePath(network)}/disconnect`, {
      body: { Container: container, Force: flagBool(flags, 'force') },
    });
    return 0;
  },
};
