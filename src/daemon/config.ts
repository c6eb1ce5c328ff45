import { readFile } from 'node:fs/promises';

import {
  type FlagSpec,
  type FlagValue,
  type LogLevel,
  type ParsedFlags,
  contains,
  formatCidr,
  hasErrno,
  lastAddress,
  invalidArgument,
  isLogLevel,
  isMoorError,
  parseCidr,
  parseIpv4,
} from '../core/index.js';
import { DEFAULT_LOG_OPTS, validateLogConfig } from '../logging/index.js';
import { type AddressPool, validateAddressPool } from '../network/index.js';

export const DEFAULT_CONFIG_FILE = '/etc/moor/daemon.json';
export const DEFAULT_SOCKET = '/run/moor.sock';

/** The daemon's settings after flags and daemon.json are merged. */
export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  debug: boolean;
  logLevel: LogLevel;
  configFile: string;
  group: string | undefined;
  /** undefined: not said; false: explicitly off (accepts plain TCP off loopback). */
  tls: boolean | undefined;
  tlsVerify: boolean;
  tlsCaCert: string;
  tlsCert: string;
  tlsKey: string;
  storageDriver: 'overlay2' | 'vfs';
  insecureRegistries: string[];
  registryMirrors: string[];
  /** Serve moor's registry beside the API (`registry-addr`), from `registryRoot`. */
  registryAddr: string | undefined;
  registryRoot: string | undefined;
  labels: string[];
  /** Default log driver and options of containers (`log-driver`, `log-opts`). */
  logDriver: string;
  logOpts: Record<string, string>;
  /** The default bridge network: Linux bridge name, subnet, gateway (`--bridge`, `--bip`). */
  defaultBridge: {
    bridgeName: string;
    subnet: string;
    gateway: string;
    mtu: number;
    /** `--fixed-cidr`: where its containers' addresses come from. */
    ipRange?: string;
  };
  /** Whether `--bridge` / `--bip` were given (else a taken docker0 or range is avoided). */
  defaultBridgeGiven: { bridge: boolean; bip: boolean };
  /** `--default-address-pool`: where user networks get subnets (Docker's pools when empty). */
  addressPools: AddressPool[];
}

/**
 * moord's flags. Each `key` is also the daemon.json key, as in dockerd; setting one in both
 * places is an error.
 */
export const DAEMON_FLAGS: (FlagSpec & { key: string })[] = [
  {
    key: 'log-driver',
    name: 'log-driver',
    type: 'string',
    default: 'json-file',
    help: 'Default driver for container logs',
  },
  {
    key: 'log-opts',
    name: 'log-opt',
    type: 'list',
    help: 'Default log driver options for containers',
  },
  { key: 'hosts', name: 'host', short: 'H', type: 'list', help: 'Daemon socket(s) to connect to' },
  {
    key: 'data-root',
    name: 'data-root',
    type: 'string',
    default: '/var/lib/moor',
    help: 'Root directory of persistent state',
  },
  {
    key: 'exec-root',
    name: 'exec-root',
    type: 'string',
    default: '/run/moor',
    help: 'Root directory for execution state files',
  },
  {
    key: 'pidfile',
    name: 'pidfile',
    short: 'p',
    type: 'string',
    default: '/run/moord.pid',
    help: 'Path to use for daemon PID file',
  },
  { key: 'debug', name: 'debug', short: 'D', type: 'bool', help: 'Enable debug mode' },
  {
    key: 'log-level',
    name: 'log-level',
    short: 'l',
    type: 'string',
    default: 'info',
    help: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")',
  },
  {
    key: 'group',
    name: 'group',
    short: 'G',
    type: 'string',
    help: 'Group for the unix socket (default: root only)',
  },
  { key: 'tls', name: 'tls', type: 'bool', help: 'Use TLS; implied by --tlsverify' },
  { key: 'tlsverify', name: 'tlsverify', type: 'bool', help: 'Use TLS and verify the remote' },
  {
    key: 'tlscacert',
    name: 'tlscacert',
    type: 'string',
    help: 'Trust certs signed only by this CA (default "~/.docker/ca.pem")',
  },
  {
    key: 'tlscert',
    name: 'tlscert',
    type: 'string',
    help: 'Path to TLS certificate file (default "~/.docker/cert.pem")',
  },
  {
    key: 'tlskey',
    name: 'tlskey',
    type: 'string',
    help: 'Path to TLS key file (default "~/.docker/key.pem")',
  },
  {
    key: 'storage-driver',
    name: 'storage-driver',
    short: 's',
    type: 'string',
    default: 'overlay2',
    help: 'Storage driver to use ("overlay2"|"vfs")',
  },
  {
    key: 'insecure-registries',
    name: 'insecure-registry',
    type: 'list',
    help: 'Enable insecure registry communication',
  },
  {
    key: 'registry-mirrors',
    name: 'registry-mirror',
    type: 'list',
    help: 'Preferred registry mirror',
  },
  {
    key: 'registry-addr',
    name: 'registry-addr',
    type: 'string',
    help: 'Also serve an image registry (moor registry) on this address (host:port)',
  },
  {
    key: 'registry-root',
    name: 'registry-root',
    type: 'string',
    help: 'Directory of the registry served with --registry-addr (default: <data-root>/registry)',
  },
  { key: 'labels', name: 'label', type: 'list', help: 'Set key=value labels to the daemon' },
  {
    key: 'bridge',
    name: 'bridge',
    short: 'b',
    type: 'string',
    help: 'Attach containers to a network bridge (default "docker0")',
  },
  {
    key: 'bip',
    name: 'bip',
    type: 'string',
    help: 'IPv4 address and prefix of the default bridge (default 172.17.0.1/16)',
  },
  { key: 'mtu', name: 'mtu', type: 'string', help: 'Network MTU (default 1500)' },
  {
    key: 'fixed-cidr',
    name: 'fixed-cidr',
    type: 'string',
    help: "IPv4 subnet for the default bridge's container addresses",
  },
  {
    key: 'default-address-pools',
    name: 'default-address-pool',
    type: 'list',
    value: 'pool-options',
    help: 'Default address pools for user networks (base=CIDR,size=N)',
  },
];

/** Flags that have no daemon.json key. */
export const COMMAND_FLAGS: FlagSpec[] = [
  {
    name: 'config-file',
    type: 'string',
    default: DEFAULT_CONFIG_FILE,
    help: 'Daemon configuration file',
  },
  { name: 'version', short: 'v', type: 'bool', help: 'Print version information and quit' },
  { name: 'help', short: 'h', type: 'bool', help: 'Print usage' },
];

export interface FileConfig {
  path: string;
  values: Record<string, unknown>;
}

/**
 * Reads daemon.json. A missing file is fine at the default path; a file named explicitly must
 * exist. Unknown keys are refused, as dockerd does.
 */
export async function readConfigFile(path: string, explicit: boolean): Promise<FileConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT') && !explicit) return { path, values: {} };
    throw invalidArgument(
      `unable to configure the moor daemon with file ${path}: ${(err as Error).message}`,
      err,
    );
  }
  let values: unknown;
  try {
    values = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw invalidArgument(
      `unable to configure the moor daemon with file ${path}: ${(err as Error).message}`,
      err,
    );
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw invalidArgument(
      `unable to configure the moor daemon with file ${path}: not a JSON object`,
    );
  }
  const known = new Set(DAEMON_FLAGS.map((f) => f.key));
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw invalidArgument(
      `unable to configure the moor daemon with file ${path}: the following directives don't match any configuration option: ${unknown.join(', ')}`,
    );
  }
  return { path, values: values as Record<string, unknown> };
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(' ')}]` : String(value);
}

function fileValue(spec: FlagSpec & { key: string }, raw: unknown, path: string): FlagValue {
  const bad = () =>
    invalidArgument(
      `unable to configure the moor daemon with file ${path}: ${spec.key} has an invalid value: ${JSON.stringify(raw)}`,
    );
  if (spec.type === 'bool') {
    if (typeof raw !== 'boolean') throw bad();
    return raw;
  }
  if (spec.key === 'log-opts' && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const entries = Object.entries(raw as Record<string, unknown>);
    if (!entries.every(([, v]) => typeof v === 'string')) throw bad();
    return entries.map(([k, v]) => `${k}=${v as string}`);
  }
  if (spec.key === 'default-address-pools' && Array.isArray(raw)) {
    // daemon.json: [{"base": "10.10.0.0/16", "size": 24}], as the flag's base=...,size=...
    return raw.map((pool: unknown) => {
      const { base, size } = (pool ?? {}) as { base?: unknown; size?: unknown };
      if (typeof base !== 'string' || typeof size !== 'number') throw bad();
      return `base=${base},size=${size}`;
    });
  }
  if (spec.type === 'list') {
    if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) throw bad();
    return raw;
  }
  if (typeof raw !== 'string') throw bad();
  return raw;
}

/** Merges flags and file; a directive in both is an error with dockerd's wording. */
export function mergeConfig(flags: ParsedFlags, file: FileConfig): DaemonConfig {
  const conflicts: string[] = [];
  const value = new Map<string, FlagValue | undefined>();
  for (const spec of DAEMON_FLAGS) {
    const inFile = Object.hasOwn(file.values, spec.key);
    if (flags.given.has(spec.name) && inFile) {
      conflicts.push(
        `${spec.key}: (from flag: ${show(flags.values.get(spec.name))}, from file: ${show(file.values[spec.key])})`,
      );
    }
    value.set(
      spec.key,
      inFile ? fileValue(spec, file.values[spec.key], file.path) : flags.values.get(spec.name),
    );
  }
  if (conflicts.length > 0) {
    throw invalidArgument(
      `unable to configure the moor daemon with file ${file.path}: the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`,
    );
  }
  const str = (key: string) => value.get(key) as string | undefined;
  const list = (key: string) => (value.get(key) as string[] | undefined) ?? [];
  const debug = value.get('debug') === true;
  const logLevel = debug ? 'debug' : (str('log-level') ?? 'info');
  if (!isLogLevel(logLevel)) throw invalidArgument(`unable to parse logging level: ${logLevel}`);
  const explicitTls = flags.given.has('tls') || Object.hasOwn(file.values, 'tls');
  const tlsVerify = value.get('tlsverify') === true;
  const storageDriver = str('storage-driver') ?? 'overlay2';
  if (storageDriver !== 'overlay2' && storageDriver !== 'vfs') {
    throw invalidArgument(`unknown storage driver: ${storageDriver} (supported: overlay2, vfs)`);
  }
  const home = process.env['HOME'] ?? '/root';
  const certDir = process.env['DOCKER_CERT_PATH'] ?? `${home}/.docker`;
  return {
    hosts: list('hosts'),
    dataRoot: str('data-root') ?? '/var/lib/moor',
    execRoot: str('exec-root') ?? '/run/moor',
    pidfile: str('pidfile') ?? '/run/moord.pid',
    debug: debug || logLevel === 'debug',
    logLevel,
    configFile: file.path,
    group: str('group'),
    tls: tlsVerify ? true : explicitTls ? value.get('tls') === true : undefined,
    tlsVerify,
    tlsCaCert: str('tlscacert') ?? `${certDir}/ca.pem`,
    tlsCert: str('tlscert') ?? `${certDir}/cert.pem`,
    tlsKey: str('tlskey') ?? `${certDir}/key.pem`,
    storageDriver,
    insecureRegistries: ['127.0.0.0/8', '::1/128', ...list('insecure-registries')],
    registryMirrors: list('registry-mirrors'),
    registryAddr: str('registry-addr'),
    registryRoot: str('registry-root'),
    labels: list('labels'),
    defaultBridge: defaultBridgeOf(str('bridge'), str('bip'), str('mtu'), str('fixed-cidr')),
    defaultBridgeGiven: { bridge: str('bridge') !== undefined, bip: str('bip') !== undefined },
    addressPools: list('default-address-pools').map(parseAddressPool),
    ...logDefaults(
      str('log-driver') ?? 'json-file',
      flags.given.has('log-opt') || Object.hasOwn(file.values, 'log-opts')
        ? list('log-opts')
        : undefined,
    ),
  };
}

/**
 * The default log driver and options of containers, checked as dockerd checks them at start.
 * Without any `log-opts`, json-file and local logs get moor's rotation (DEFAULT_LOG_OPTS).
 */
function logDefaults(
  logDriver: string,
  given: string[] | undefined,
): Pick<DaemonConfig, 'logDriver' | 'logOpts'> {
  let logOpts: Record<string, string>;
  if (given === undefined) {
    logOpts = logDriver === 'json-file' || logDriver === 'local' ? { ...DEFAULT_LOG_OPTS } : {};
  } else {
    logOpts = Object.fromEntries(
      given.map((kv) => {
        const eq = kv.indexOf('=');
        if (eq < 0) throw invalidArgument(`invalid log-opt: ${kv} (want key=value)`);
        return [kv.slice(0, eq), kv.slice(eq + 1)];
      }),
    );
  }
  try {
    validateLogConfig(logDriver, logOpts);
  } catch (err) {
    if (!isMoorError(err, 'InvalidArgument')) throw err;
    throw invalidArgument(`failed to set log opts: ${err.message}`, err);
  }
  return { logDriver, logOpts };
}

/** `--bip` is the gateway's address with the subnet's prefix (`172.17.0.1/16`), as dockerd's. */
/** `base=10.10.0.0/16,size=24`. */
function parseAddressPool(text: string): AddressPool {
  const fields = new Map(
    text.split(',').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
    }),
  );
  const base = fields.get('base');
  const size = Number(fields.get('size'));
  if (!base || !fields.has('size')) {
    throw invalidArgument(`invalid default-address-pool: ${text} (base=CIDR,size=N)`);
  }
  return validateAddressPool({ base, size });
}

function defaultBridgeOf(
  bridge: string | undefined,
  bip: string | undefined,
  mtu: string | undefined,
  fixedCidr: string | undefined,
): DaemonConfig['defaultBridge'] {
  const gatewayCidr = bip ?? '172.17.0.1/16';
  const [gateway = '', prefixText = ''] = gatewayCidr.split('/');
  const ip = parseIpv4(gateway);
  const prefix = Number(prefixText);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText) || prefix < 1 || prefix > 30) {
    throw invalidArgument(
      `invalid bip: ${gatewayCidr} (an IPv4 address and prefix, as 172.17.0.1/16)`,
    );
  }
  const subnet = formatCidr(parseCidr(gatewayCidr));
  const mtuValue = Number(mtu ?? '1500');
  if (!Number.isInteger(mtuValue) || mtuValue < 68 || mtuValue > 65535) {
    throw invalidArgument(`invalid mtu: ${mtu}`);
  }
  let ipRange: string | undefined;
  if (fixedCidr) {
    const range = parseCidr(fixedCidr, 'fixed-cidr');
    const net = parseCidr(subnet);
    if (!contains(net, range.base) || !contains(net, lastAddress(range))) {
      throw invalidArgument(`fixed-cidr ${fixedCidr} is not inside the bridge's subnet ${subnet}`);
    }
    ipRange = formatCidr(range);
  }
  return {
    bridgeName: bridge ?? 'docker0',
    subnet,
    gateway,
    mtu: mtuValue,
    ...(ipRange ? { ipRange } : {}),
  };
}
