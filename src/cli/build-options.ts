/**
 * `moor build` flags (docker 28's legacy builder: names, shorthands, help, value checks) and
 * the `POST /build` query the docker client sends for them (client.imageBuildOptionsToQuery):
 * defaults are left out, maps are JSON with sorted keys, `version=1` asks for the classic
 * builder.
 */
import type { Ulimit } from '../api-types/index.js';
import { type FlagSpec, type ParsedFlags, flagBool, flagList, flagString } from '../core/index.js';
import { parseReference } from '../oci/index.js';
import { csvFields } from './run-mounts.js';
import {
  flagValueError,
  parseGoInt,
  parseRamBytes,
  parseUlimit,
  sortedRecord,
  validateEnv,
  validateExtraHost,
  validateLabel,
} from './run-values.js';

/** docker build's flags, in the order its help lists them (pflag sorts by name). */
export const BUILD_FLAGS: FlagSpec[] = [
  { name: 'add-host', type: 'list', help: 'Add a custom host-to-IP mapping ("host:ip")' },
  { name: 'build-arg', type: 'list', help: 'Set build-time variables' },
  {
    name: 'cache-from',
    type: 'list',
    value: 'strings',
    help: 'Images to consider as cache sources',
  },
  {
    name: 'cgroup-parent',
    type: 'string',
    help: 'Set the parent cgroup for the "RUN" instructions during build',
  },
  { name: 'compress', type: 'bool', help: 'Compress the build context using gzip' },
  {
    name: 'cpu-period',
    type: 'string',
    value: 'int',
    help: 'Limit the CPU CFS (Completely Fair Scheduler) period',
  },
  {
    name: 'cpu-quota',
    type: 'string',
    value: 'int',
    help: 'Limit the CPU CFS (Completely Fair Scheduler) quota',
  },
  {
    name: 'cpu-shares',
    short: 'c',
    type: 'string',
    value: 'int',
    help: 'CPU shares (relative weight)',
  },
  { name: 'cpuset-cpus', type: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', type: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
  {
    name: 'disable-content-trust',
    type: 'bool',
    default: true,
    help: 'Skip image verification (default true)',
  },
  {
    name: 'file',
    short: 'f',
    type: 'string',
    help: 'Name of the Dockerfile (Default is "PATH/Dockerfile")',
  },
  { name: 'force-rm', type: 'bool', help: 'Always remove intermediate containers' },
  { name: 'iidfile', type: 'string', help: 'Write the image ID to the file' },
  { name: 'isolation', type: 'string', help: 'Container isolation technology' },
  { name: 'label', type: 'list', help: 'Set metadata for an image' },
  { name: 'memory', short: 'm', type: 'string', value: 'bytes', help: 'Memory limit' },
  {
    name: 'memory-swap',
    type: 'string',
    value: 'bytes',
    help: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap',
  },
  {
    name: 'network',
    type: 'string',
    default: 'default',
    help: 'Set the networking mode for the RUN instructions during build (default "default")',
  },
  { name: 'no-cache', type: 'bool', help: 'Do not use cache when building the image' },
  { name: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
  { name: 'pull', type: 'bool', help: 'Always attempt to pull a newer version of the image' },
  {
    name: 'quiet',
    short: 'q',
    type: 'bool',
    help: 'Suppress the build output and print image ID on success',
  },
  {
    name: 'rm',
    type: 'bool',
    default: true,
    help: 'Remove intermediate containers after a successful build (default true)',
  },
  { name: 'security-opt', type: 'list', value: 'strings', help: 'Security options' },
  { name: 'shm-size', type: 'string', value: 'bytes', help: 'Size of "/dev/shm"' },
  {
    name: 'squash',
    type: 'bool',
    // Experimental in docker: its help shows it only for an experimental daemon.
    hidden: true,
    help: 'Squash newly built layers into a single new layer',
  },
  {
    name: 'tag',
    short: 't',
    type: 'list',
    help: 'Name and optionally a tag in the "name:tag" format',
  },
  { name: 'target', type: 'string', help: 'Set the target build stage to build.' },
  { name: 'ulimit', type: 'list', value: 'ulimit', help: 'Ulimit options (default [])' },
];

const SPECS = new Map(BUILD_FLAGS.map((spec) => [spec.name, spec]));

/** Runs a value check, reporting a failure as pflag reports a bad flag value (exit 125). */
function checked<T>(name: string, value: string, check: (value: string) => T): T {
  try {
    return check(value);
  } catch (err) {
    throw flagValueError(SPECS.get(name) ?? name, value, (err as Error).message);
  }
}

function listOf<T>(flags: ParsedFlags, name: string, check: (value: string) => T): T[] {
  return flagList(flags, name).map((value) => checked(name, value, check));
}

function numberOf(flags: ParsedFlags, name: string, parse: (text: string) => number): number {
  const text = flagString(flags, name);
  return text === undefined ? 0 : checked(name, text, parse);
}

/** pflag's StringSlice: each value is one CSV record, all records appended. */
function stringSlice(flags: ParsedFlags, name: string): string[] {
  return listOf(flags, name, (value) => (value === '' ? [] : csvFields(value))).flat();
}

/** opts.MemSwapBytes: `-1` (unlimited) or a size. */
function parseSwap(text: string): number {
  return text === '-1' ? -1 : parseRamBytes(text);
}

/** validateTag: a reference docker could name an image with. */
function validateTag(value: string): string {
  parseReference(value);
  return value;
}

/** What the build flags ask of the daemon and of the CLI. */
export interface BuildOptions {
  tags: string[];
  /** `-f` as given ('' for the default, `-` for stdin). */
  dockerfile: string;
  /** `KEY` → value, or null for a bare `KEY` not set in the environment. */
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  extraHosts: string[];
  ulimits: Ulimit[];
  memory: number;
  memorySwap: number;
  shmSize: number;
  cpuShares: number;
  cpuPeriod: number;
  cpuQuota: number;
  cpusetCpus: string;
  cpusetMems: string;
  cgroupParent: string;
  isolation: string;
  quiet: boolean;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  pull: boolean;
  cacheFrom: string[];
  compress: boolean;
  securityOpt: string[];
  network: string;
  squash: boolean;
  target: string;
  iidfile: string;
  platform: string;
}

/**
 * Reads and checks the flags as docker's flag values do; a bad value is a UsageError naming
 * the flag. `env` is the client's environment (bare `--build-arg KEY`, DOCKER_DEFAULT_PLATFORM).
 */
export function readBuildOptions(flags: ParsedFlags, env: NodeJS.ProcessEnv): BuildOptions {
  const buildArgs = new Map<string, string | null>();
  for (const arg of listOf(flags, 'build-arg', (v) => validateEnv(v, (name) => env[name]))) {
    const eq = arg.indexOf('=');
    buildArgs.set(eq === -1 ? arg : arg.slice(0, eq), eq === -1 ? null : arg.slice(eq + 1));
  }
  const labels = new Map<string, string>();
  for (const label of listOf(flags, 'label', validateLabel)) {
    const eq = label.indexOf('=');
    labels.set(eq === -1 ? label : label.slice(0, eq), eq === -1 ? '' : label.slice(eq + 1));
  }
  const ulimits = new Map<string, Ulimit>();
  for (const limit of listOf(flags, 'ulimit', parseUlimit)) ulimits.set(limit.Name, limit);
  return {
    tags: listOf(flags, 'tag', validateTag),
    dockerfile: flagString(flags, 'file') ?? '',
    buildArgs: sortedRecord(buildArgs),
    labels: sortedRecord(labels),
    extraHosts: listOf(flags, 'add-host', validateExtraHost),
    ulimits: [...ulimits.values()],
    memory: numberOf(flags, 'memory', parseRamBytes),
    memorySwap: numberOf(flags, 'memory-swap', parseSwap),
    shmSize: numberOf(flags, 'shm-size', parseRamBytes),
    cpuShares: numberOf(flags, 'cpu-shares', parseGoInt),
    cpuPeriod: numberOf(flags, 'cpu-period', parseGoInt),
    cpuQuota: numberOf(flags, 'cpu-quota', parseGoInt),
    cpusetCpus: flagString(flags, 'cpuset-cpus') ?? '',
    cpusetMems: flagString(flags, 'cpuset-mems') ?? '',
    cgroupParent: flagString(flags, 'cgroup-parent') ?? '',
    isolation: flagString(flags, 'isolation') ?? '',
    quiet: flagBool(flags, 'quiet'),
    noCache: flagBool(flags, 'no-cache'),
    rm: flagBool(flags, 'rm'),
    forceRm: flagBool(flags, 'force-rm'),
    pull: flagBool(flags, 'pull'),
    cacheFrom: stringSlice(flags, 'cache-from'),
    compress: flagBool(flags, 'compress'),
    securityOpt: stringSlice(flags, 'security-opt'),
    network: flagString(flags, 'network') ?? 'default',
    squash: flagBool(flags, 'squash'),
    target: flagString(flags, 'target') ?? '',
    iidfile: flagString(flags, 'iidfile') ?? '',
    platform: flags.given.has('platform')
      ? (flagString(flags, 'platform') ?? '')
      : (env['DOCKER_DEFAULT_PLATFORM'] ?? ''),
  };
}

export type BuildQuery = Record<string, string | string[]>;

/**
 * The `POST /build` query for `options`, the Dockerfile's name in the context (`dockerfile`,
 * '' for the daemon's default) and a remote context (`remote`, '' for an uploaded one).
 * Keys in Go's order (url.Values encodes them sorted).
 */
export function buildQuery(options: BuildOptions, dockerfile: string, remote: string): BuildQuery {
  const query: BuildQuery = {};
  const set = (key: string, value: string | string[], when: boolean) => {
    if (when) query[key] = value;
  };
  const json = (value: unknown) => JSON.stringify(value);
  set('buildargs', json(options.buildArgs), Object.keys(options.buildArgs).length > 0);
  set('cachefrom', json(options.cacheFrom), options.cacheFrom.length > 0);
  set('cgroupparent', options.cgroupParent, options.cgroupParent !== '');
  set('cpuperiod', String(options.cpuPeriod), options.cpuPeriod !== 0);
  set('cpuquota', String(options.cpuQuota), options.cpuQuota !== 0);
  set('cpusetcpus', options.cpusetCpus, options.cpusetCpus !== '');
  set('cpusetmems', options.cpusetMems, options.cpusetMems !== '');
  set('cpushares', String(options.cpuShares), options.cpuShares !== 0);
  set('dockerfile', dockerfile, dockerfile !== '');
  set('extrahosts', options.extraHosts, options.extraHosts.length > 0);
  set('forcerm', '1', options.forceRm);
  const isolation = options.isolation;
  set('isolation', isolation, isolation !== '' && isolation.toLowerCase() !== 'default');
  set('labels', json(options.labels), Object.keys(options.labels).length > 0);
  set('memory', String(options.memory), options.memory !== 0);
  set('memswap', String(options.memorySwap), options.memorySwap !== 0);
  const network = options.network;
  set('networkmode', network, network !== '' && network !== 'default');
  set('nocache', '1', options.noCache);
  set('platform', options.platform.toLowerCase(), options.platform !== '');
  set('pull', '1', options.pull);
  set('q', '1', options.quiet);
  set('remote', remote, remote !== '');
  // The daemon removes intermediate containers by default: only opting out is sent.
  set('rm', '0', !options.rm);
  set('securityopt', options.securityOpt, options.securityOpt.length > 0);
  set('shmsize', String(options.shmSize), options.shmSize !== 0);
  set('squash', '1', options.squash);
  set('t', options.tags, options.tags.length > 0);
  set('target', options.target, options.target !== '');
  set('ulimits', json(options.ulimits), options.ulimits.length > 0);
  set('version', '1', true);
  return query;
}
