/**
 * The checks behind run-options.ts: flag values checked as docker's pflag values are (a failure
 * is a UsageError naming the flag), and the option groups that need more than one flag or a
 * file (health check, security options, env and label files).
 */
import type { HealthConfig, MountSpec, Ulimit } from '../api-types/index.js';
import { type FlagSpec, type ParsedFlags, flagBool, flagList, flagString } from '../core/index.js';
import { parseGoDuration } from '../oci/index.js';
import { CONTAINER_FLAGS } from './run-flags.js';
import { parseMount } from './run-mounts.js';
import {
  flagValueError,
  parseGoInt,
  parseKeyValueLines,
  parseUlimit,
  validateAttach,
} from './run-values.js';

/** What the conversion may read besides the flags. */
export interface RunEnvironment {
  /** A user file's text; throws with Go's wording (`open x: no such file or directory`). */
  readFile: (path: string) => string;
  lookupEnv: (name: string) => string | undefined;
  /** For relative bind sources (`-v ./data:/data`). */
  cwd: string;
  /** [rows, columns] of the output terminal, [0, 0] when it is none (HostConfig.ConsoleSize). */
  consoleSize: [number, number];
}

/** An inconsistent combination of options (docker prints `docker: MESSAGE`, exit 125). */
export class InvalidOptionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidOptionError';
  }
}

export type PullPolicy = 'always' | 'missing' | 'never';

const SPECS = new Map(CONTAINER_FLAGS.map((spec) => [spec.name, spec]));

function spec(name: string): FlagSpec {
  return SPECS.get(name) ?? { name, type: 'string' };
}

/** Runs a flag-value check, reporting a failure as pflag does. */
export function checked<T>(name: string, value: string, check: (value: string) => T): T {
  try {
    return check(value);
  } catch (err) {
    throw flagValueError(spec(name), value, (err as Error).message);
  }
}

export function listOf<T>(flags: ParsedFlags, name: string, check: (value: string) => T): T[] {
  return flagList(flags, name).map((value) => checked(name, value, check));
}

export function numberOf(
  flags: ParsedFlags,
  name: string,
  parse: (text: string) => number,
  fallback = 0,
) {
  const text = flagString(flags, name);
  return text === undefined ? fallback : checked(name, text, parse);
}

/** Wraps a non-flag failure (a file that cannot be read, a bad combination). */
export function invalid(err: unknown): InvalidOptionError {
  return err instanceof InvalidOptionError
    ? err
    : new InvalidOptionError((err as Error).message, { cause: err });
}

export function readKeyValueFiles(
  env: RunEnvironment,
  files: readonly string[],
  lookup?: (name: string) => string | undefined,
): string[] {
  const out: string[] = [];
  for (const file of files) {
    const text = env.readFile(file);
    try {
      out.push(...parseKeyValueLines(text, lookup));
    } catch (err) {
      throw new Error(`invalid env file (${file}): ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

export function healthcheck(flags: ParsedFlags): HealthConfig | undefined {
  const cmd = flagString(flags, 'health-cmd') ?? '';
  const duration = (name: string) => numberOf(flags, name, parseGoDuration);
  const interval = duration('health-interval');
  const timeout = duration('health-timeout');
  const startPeriod = duration('health-start-period');
  const startInterval = duration('health-start-interval');
  const retries = numberOf(flags, 'health-retries', parseGoInt);
  const any =
    cmd !== '' ||
    interval !== 0 ||
    timeout !== 0 ||
    startPeriod !== 0 ||
    retries !== 0 ||
    startInterval !== 0;
  if (flagBool(flags, 'no-healthcheck')) {
    if (any) throw new InvalidOptionError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  for (const [name, value] of [
    ['interval', interval],
    ['timeout', timeout],
    ['retries', retries],
    ['start-period', startPeriod],
    ['start-interval', startInterval],
  ] as const) {
    if (value < 0) throw new InvalidOptionError(`--health-${name} cannot be negative`);
  }
  const health: HealthConfig = {};
  if (cmd !== '') health.Test = ['CMD-SHELL', cmd];
  if (interval !== 0) health.Interval = interval;
  if (timeout !== 0) health.Timeout = timeout;
  if (startPeriod !== 0) health.StartPeriod = startPeriod;
  if (startInterval !== 0) health.StartInterval = startInterval;
  if (retries !== 0) health.Retries = retries;
  return health;
}

/** docker's parseSecurityOpts and parseSystemPaths. */
export function securityOptions(values: readonly string[], env: RunEnvironment) {
  let masked: string[] | null = null;
  let readonly: string[] | null = null;
  const out: string[] = [];
  for (const opt of values) {
    let sep = opt.indexOf('=');
    if (sep === -1 && opt !== 'no-new-privileges') sep = opt.indexOf(':');
    const key = sep === -1 ? opt : opt.slice(0, sep);
    const value = sep === -1 ? '' : opt.slice(sep + 1);
    if ((sep === -1 || value === '') && key !== 'no-new-privileges') {
      throw new InvalidOptionError(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    }
    if (opt === 'systempaths=unconfined') {
      masked = [];
      readonly = [];
      continue;
    }
    if (key === 'seccomp' && value !== 'builtin' && value !== 'unconfined') {
      let profile: string;
      try {
        profile = env.readFile(value);
      } catch (err) {
        throw new InvalidOptionError(
          `opening seccomp profile (${value}) failed: ${(err as Error).message}`,
        );
      }
      try {
        out.push(`seccomp=${JSON.stringify(JSON.parse(profile))}`);
      } catch (err) {
        throw new InvalidOptionError(
          `compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`,
        );
      }
      continue;
    }
    out.push(opt);
  }
  return { securityOpt: out.length > 0 ? out : null, masked, readonly };
}

/** HostConfig.CapAdd/CapDrop as docker's client normalizes them (`net_admin` → CAP_NET_ADMIN). */
export function capabilities(values: readonly string[]): string[] | null {
  if (values.length === 0) return null;
  const normalized = values.map((c) => {
    const upper = c.toUpperCase();
    return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  });
  return [...new Set(normalized)].sort();
}

export function ulimits(flags: ParsedFlags): Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const limit of listOf(flags, 'ulimit', parseUlimit)) byName.set(limit.Name, limit);
  return [...byName.values()];
}

export function mounts(flags: ParsedFlags, cwd: string): MountSpec[] | undefined {
  const list = listOf(flags, 'mount', (value) => parseMount(value, cwd));
  return list.length === 0 ? undefined : list;
}

export function validatePull(value: string): PullPolicy {
  if (value === '' || value === 'missing') return 'missing';
  if (value === 'always' || value === 'never') return value;
  throw new InvalidOptionError(
    `invalid pull option: '${value}': must be one of "always", "missing" or "never"`,
  );
}

export function attachFlags(flags: ParsedFlags) {
  const streams = listOf(flags, 'attach', validateAttach);
  const none = streams.length === 0;
  return {
    stdin: streams.includes('stdin') || flagBool(flags, 'interactive'),
    stdout: none || streams.includes('stdout'),
    stderr: none || streams.includes('stderr'),
  };
}
