/**
 * The value checks docker's CLI runs on container flags (its opts package and go-units), with
 * their messages. A bad flag value is reported as docker's pflag does:
 * `invalid argument "X" for "-e, --env" flag: <reason>` (exit 125).
 */
import { isIP } from 'node:net';

import type { FlagSpec } from '../core/index.js';
import { UsageError } from './context.js';

/** docker's flag-value error, naming the flag as pflag does (`-e, --env` or `--dns`). */
export function flagValueError(spec: FlagSpec | string, value: string, reason: string): UsageError {
  const names =
    typeof spec === 'string'
      ? `--${spec}`
      : spec.short
        ? `-${spec.short}, --${spec.name}`
        : `--${spec.name}`;
  return new UsageError(`invalid argument "${value}" for "${names}" flag: ${reason}`);
}

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BINARY_UNITS: Readonly<Record<string, number>> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** go-units RAMInBytes: `512m`, `1g`, `64MiB`, `100` (bytes); binary multiples. */
export function parseRamBytes(text: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => text.lastIndexOf(c)));
  if (sep === -1) throw new Error(`invalid size: '${text}'`);
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  let suffix = text.slice(sep + 1);
  if (!FLOAT.test(num)) throw new Error(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  const size = Number(num);
  if (size < 0) throw new Error(`invalid size: '${text}'`);
  if (suffix === '') return Math.trunc(size);
  const bad = () => new Error(`invalid suffix: '${suffix}'`);
  if (suffix.length > 3) throw bad();
  suffix = suffix.toLowerCase();
  if (suffix[0] === 'b') {
    if (suffix.length > 1) throw bad();
    return Math.trunc(size);
  }
  const scale = BINARY_UNITS[suffix[0] as string];
  if (scale === undefined) throw bad();
  if (
    (suffix.length === 2 && suffix[1] !== 'b') ||
    (suffix.length === 3 && suffix.slice(1) !== 'ib')
  ) {
    throw bad();
  }
  return Math.trunc(size * scale);
}

/** opts.ParseCPUs: a rational number of CPUs (`1.5`, `3/2`) in billionths. */
export function parseNanoCpus(text: string): number {
  const fraction = /^([+-]?\d+)\/(\d+)$/.exec(text);
  let value: number;
  if (fraction) value = Number(fraction[1]) / Number(fraction[2]);
  else if (FLOAT.test(text)) value = Number(text);
  else throw new Error(`failed to parse ${text} as a rational number`);
  const nano = value * 1e9;
  const rounded = Math.round(nano);
  if (!Number.isFinite(nano) || Math.abs(nano - rounded) > 1e-6 * Math.max(1, Math.abs(nano))) {
    throw new Error('value is too precise');
  }
  return rounded;
}

/** Go's strconv.ParseInt(text, 10, 64) with its message. */
export function parseGoInt(text: string): number {
  if (!/^[+-]?\d+$/.test(text))
    throw new Error(`strconv.ParseInt: parsing "${text}": invalid syntax`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new Error(`strconv.ParseInt: parsing "${text}": value out of range`);
  }
  return value;
}

/** opts.ValidateEnv: `KEY=value` as is, a bare `KEY` takes the client's value when it has one. */
export function validateEnv(value: string, lookup: (name: string) => string | undefined): string {
  const eq = value.indexOf('=');
  const key = eq === -1 ? value : value.slice(0, eq);
  if (key === '') throw new Error(`invalid environment variable: ${value}`);
  if (eq !== -1) return value;
  const found = lookup(key);
  return found === undefined ? value : `${key}=${found}`;
}

const WHITESPACE = /[ \t]/;

/** opts.ValidateLabel. */
export function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  const key = (eq === -1 ? value : value.slice(0, eq)).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (WHITESPACE.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

/** Go's net.ParseIP(...).String(), or undefined when it is no IP address. */
export function canonicalIp(text: string): string | undefined {
  const version = isIP(text);
  if (version === 4) return text;
  if (version === 6) return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return undefined;
}

/** opts.ValidateIPAddress. */
export function validateIpAddress(value: string): string {
  const ip = canonicalIp(value.trim());
  if (ip === undefined) throw new Error(`IP address is not correctly formatted: ${value}`);
  return ip;
}

/** opts.ValidateExtraHost: `host:ip` or `host=ip` (also `[v6]`, `host-gateway`) → `host:ip`. */
export function validateExtraHost(value: string): string {
  let sep = value.indexOf('=');
  if (sep === -1) sep = value.indexOf(':');
  const key = sep === -1 ? '' : value.slice(0, sep);
  let ip = sep === -1 ? '' : value.slice(sep + 1);
  if (sep === -1 || key === '' || key.includes(':')) {
    throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  }
  if (ip !== 'host-gateway') {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (canonicalIp(ip.trim()) === undefined) {
      throw new Error(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
    }
  }
  return `${key}:${ip}`;
}

const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const DOMAIN = new RegExp(`^(${LABEL}(?:\\.${LABEL})*)\\.?\\s*$`);

/** opts.ValidateDNSSearch. */
export function validateDnsSearch(value: string): string {
  const trimmed = value.replace(/^ +| +$/g, '');
  if (trimmed === '.') return trimmed;
  const match = /[a-zA-Z]/.test(trimmed) ? DOMAIN.exec(trimmed) : null;
  if (!match || (match[1] ?? '').length >= 255) throw new Error(`${trimmed} is not a valid domain`);
  return match[1] as string;
}

const SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** opts.ValidateSysctl: namespaced sysctls only. */
export function validateSysctl(value: string): string {
  const eq = value.indexOf('=');
  const key = eq === -1 ? '' : value.slice(0, eq);
  if (key !== '' && (SYSCTLS.has(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) {
    return value;
  }
  throw new Error(`sysctl '${value}' is not allowed`);
}

const ULIMITS = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/** go-units ParseUlimit: `name=soft[:hard]`. */
export function parseUlimit(value: string): { Name: string; Hard: number; Soft: number } {
  const eq = value.indexOf('=');
  if (eq === -1) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!ULIMITS.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const limits = value.slice(eq + 1).split(':');
  if (limits.length > 2) {
    throw new Error(
      `too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``,
    );
  }
  const hard = limits.length === 2 ? parseGoInt(limits[1] as string) : undefined;
  const soft = parseGoInt(limits[0] as string);
  const effectiveHard = hard ?? soft;
  if (effectiveHard !== -1) {
    if (soft === -1) {
      throw new Error(
        `ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${effectiveHard}`,
      );
    }
    if (soft > effectiveHard) {
      throw new Error(
        `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${effectiveHard}`,
      );
    }
  }
  return { Name: name, Hard: effectiveHard, Soft: soft };
}

/** Go's net.ParseMAC: 6, 8 or 20 octets separated by `:` or `-`, or dotted groups of four. */
export function isMacAddress(value: string): boolean {
  const text = value.trim();
  const octets = /^[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})+$/.test(text)
    ? text.split(/[:-]/).length
    : /^[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4})+$/.test(text)
      ? text.split('.').length * 2
      : 0;
  const separators = new Set(text.replace(/[0-9a-fA-F]/g, ''));
  return [6, 8, 20].includes(octets) && separators.size <= 1;
}

/** docker's validateAttach: stdin, stdout or stderr (any case). */
export function validateAttach(value: string): string {
  const lower = value.toLowerCase();
  if (lower === 'stdin' || lower === 'stdout' || lower === 'stderr') return lower;
  throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

/**
 * docker's kvfile.Parse over a file's text: `KEY=value` lines, `#` comments and blank lines
 * skipped, leading whitespace dropped; a bare `KEY` takes `lookup`'s value or is dropped
 * (labels have no lookup). Throws the reason without the file name.
 */
export function parseKeyValueLines(
  text: string,
  lookup?: (name: string) => string | undefined,
): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq === -1 ? line : line.slice(0, eq);
    if (key === '') throw new Error(`no variable name on line '${line}'`);
    if (WHITESPACE.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (eq !== -1) {
      out.push(line);
      continue;
    }
    const value = lookup?.(line);
    if (value !== undefined) out.push(`${key}=${value}`);
  }
  return out;
}

/** opts.ParseRestartPolicy: `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
export function parseRestartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = policy.indexOf(':');
  const name = colon === -1 ? policy : policy.slice(0, colon);
  const count = colon === -1 ? '' : policy.slice(colon + 1);
  if (colon !== -1 && name === '') {
    throw new Error('invalid restart policy format: no policy provided before colon');
  }
  let retries = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) {
      throw new Error('invalid restart policy format: maximum retry count must be an integer');
    }
    retries = Number(count);
  }
  return { Name: name, MaximumRetryCount: retries };
}

/** `KEY=value` strings as a map (later keys win); Go marshals maps with sorted keys. */
export function keyValueMap(values: readonly string[]): Record<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    map.set(eq === -1 ? value : value.slice(0, eq), eq === -1 ? '' : value.slice(eq + 1));
  }
  return sortedRecord(map);
}

/** A record with its keys in Go's map order (sorted), as the docker CLI sends maps. */
export function sortedRecord<T>(entries: Map<string, T> | Record<string, T>): Record<string, T> {
  const list = entries instanceof Map ? [...entries] : Object.entries(entries);
  return Object.fromEntries(list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
