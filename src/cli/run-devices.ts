/**
 * Device and block-IO options of `create`/`run` as the docker 28 CLI reads them: `--device`,
 * `--device-cgroup-rule`, `--blkio-weight[-device]`, `--device-{read,write}-{bps,iops}`,
 * `--cpu-rt-{period,runtime}`, `--gpus`, with docker's messages. Flag-value checks throw plain
 * errors (the caller names the flag); `parseDevices` throws what docker prints as `docker: ...`.
 */
import { parseRamBytes } from './run-values.js';

/** Go's strconv.Parse{Int,Uint}(text, 0, bits): decimal, 0x/0o/0b or a leading 0 (octal). */
export function parseGoInteger(text: string, bits: number, unsigned: boolean): number {
  const fn = unsigned ? 'strconv.ParseUint' : 'strconv.ParseInt';
  const fail = (why: string) => new Error(`${fn}: parsing ${JSON.stringify(text)}: ${why}`);
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(
    text,
  );
  // Underscores only between digits (Go's literal syntax, allowed with base 0).
  if (!m || (unsigned && m[1] !== '') || /__|_$/.test(m[2] ?? '')) throw fail('invalid syntax');
  const body = (m[2] ?? '').replaceAll('_', '');
  let value: bigint;
  if (/^0[xXoObB]/.test(body)) {
    const digits = body.slice(2);
    if (digits === '') throw fail('invalid syntax');
    value = BigInt(`0${body[1]?.toLowerCase()}${digits}`);
  } else if (body.length > 1 && body.startsWith('0')) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  if (m[1] === '-') value = -value;
  const limit = unsigned ? 1n << BigInt(bits) : 1n << BigInt(bits - 1);
  if (value >= limit || (!unsigned && value < -limit)) throw fail('value out of range');
  return Number(value);
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

/** `r`, `w`, `m`, each at most once, at least one. */
function isDeviceMode(mode: string): boolean {
  return (
    mode !== '' && mode.length <= 3 && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length
  );
}

/** path.Clean for absolute and relative Unix paths. */
function cleanPath(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts.at(-1) !== '..') parts.pop();
      else if (!absolute) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/** docker's validateLinuxPath for `--device`: the value with its container path cleaned. */
function validateDevice(value: string): string {
  if ((value.match(/:/g) ?? []).length > 2) throw new Error(`bad format for path: ${value}`);
  const [source = '', second, mode] = value.split(':');
  if (source === '') throw new Error(`bad format for path: ${value}`);
  let target: string;
  let checked: string;
  if (second === undefined) {
    target = source;
    checked = cleanPath(source);
  } else if (mode === undefined) {
    if (isDeviceMode(second)) {
      target = source;
      checked = `${cleanPath(source)}:${second}`;
    } else {
      target = second;
      checked = `${source}:${cleanPath(second)}`;
    }
  } else {
    target = second;
    if (!isDeviceMode(mode)) throw new Error(`bad mode specified: ${mode}`);
    checked = value;
  }
  if (!target.startsWith('/')) throw new Error(`${target} is not an absolute path`);
  return checked;
}

/** `--device HOST[:CONTAINER][:PERMISSIONS]` → HostConfig.Devices (docker's parseLinuxDevice). */
export function parseDevices(values: readonly string[]): DeviceMapping[] {
  return values.map((value) => {
    const [source = '', second, third] = validateDevice(value).split(':');
    let target = '';
    let permissions = 'rwm';
    if (third !== undefined) permissions = third;
    if (second !== undefined) {
      if (isDeviceMode(second)) permissions = second;
      else target = second;
    }
    return {
      PathOnHost: source,
      PathInContainer: target || source,
      CgroupPermissions: permissions,
    };
  });
}

/** `--device-cgroup-rule`: `TYPE MAJOR:MINOR ACCESS` (`c 1:3 mr`, `a *:* rwm`). */
export function validateDeviceCgroupRule(value: string): string {
  if (/^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/.test(value)) return value;
  throw new Error(`invalid device cgroup format '${value}'`);
}

/** `DEVICE:VALUE` with a /dev/ path (the shared part of the weight and throttle options). */
function devicePair(value: string): [string, string] {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new Error(`bad format: ${value}`);
  const path = value.slice(0, colon);
  if (!path.startsWith('/dev/')) throw new Error(`bad format for device path: ${value}`);
  return [path, value.slice(colon + 1)];
}

/** `--blkio-weight-device /dev/sda:200`: 0, or 10 to 1000. */
export function parseWeightDevice(value: string): { Path: string; Weight: number } {
  const [path, text] = devicePair(value);
  const weight = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(weight <= 0xffff) || (weight > 0 && (weight < 10 || weight > 1000))) {
    throw new Error(`invalid weight for device: ${value}`);
  }
  return { Path: path, Weight: weight };
}

/** `--device-read-bps /dev/sda:1mb`: a size with an optional unit. */
export function parseThrottleBps(value: string): { Path: string; Rate: number } {
  const [path, text] = devicePair(value);
  let rate = -1;
  try {
    rate = parseRamBytes(text);
  } catch {
    // reported below, with the format docker explains
  }
  if (rate < 0) {
    throw new Error(
      `invalid rate for device: ${value}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`,
    );
  }
  return { Path: path, Rate: rate };
}

/** `--device-read-iops /dev/sda:100`: a whole number. */
export function parseThrottleIops(value: string): { Path: string; Rate: number } {
  const [path, text] = devicePair(value);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new Error(
      `invalid rate for device: ${value}. The correct format is <device-path>:<number>. Number must be a positive integer`,
    );
  }
  return { Path: path, Rate: Number(text) };
}

/** One record of Go's encoding/csv (quoted fields, `""` for a quote). */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length)
          throw new Error(
            `parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`,
          );
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') {
        throw new Error(
          `parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`,
        );
      }
    } else {
      const end = text.indexOf(',', i);
      field = text.slice(i, end === -1 ? text.length : end);
      const quote = field.indexOf('"');
      if (quote !== -1)
        throw new Error(
          `parse error on line 1, column ${i + quote + 1}: bare " in non-quoted-field`,
        );
      i += field.length;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

export interface DeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs: string[] | null;
  Capabilities: string[][];
  Options: Record<string, string>;
}

function gpuCount(text: string): number {
  if (text === 'all') return -1;
  if (/^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  const why = /^[+-]?\d+$/.test(text) ? 'value out of range' : 'invalid syntax';
  throw new Error(`invalid count (${text}): value must be either "all" or an integer: ${why}`);
}

/** `--gpus all`, `--gpus 2`, `--gpus "device=0,1"`, `--gpus driver=x,count=1,capabilities=y`. */
export function parseGpus(value: string): DeviceRequest {
  const request: DeviceRequest = {
    Driver: '',
    Count: 0,
    DeviceIDs: null,
    Capabilities: [['gpu']],
    Options: {},
  };
  const seen = new Set<string>();
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = eq === -1 ? field : field.slice(0, eq);
    const val = eq === -1 ? '' : field.slice(eq + 1);
    if (seen.has(key)) throw new Error(`gpu request key '${key}' can be specified only once`);
    seen.add(key);
    if (eq === -1) {
      seen.add('count');
      request.Count = gpuCount(key);
      continue;
    }
    if (key === 'driver') request.Driver = val;
    else if (key === 'count') request.Count = gpuCount(val);
    else if (key === 'device') request.DeviceIDs = val.split(',');
    else if (key === 'capabilities') request.Capabilities = [[...val.split(','), 'gpu']];
    else if (key === 'options') {
      for (const option of csvFields(val)) {
        const at = option.indexOf('=');
        request.Options[at === -1 ? option : option.slice(0, at)] =
          at === -1 ? '' : option.slice(at + 1);
      }
    } else throw new Error(`unexpected key '${key}' in '${field}'`);
  }
  if (!seen.has('count') && request.DeviceIDs === null) request.Count = 1;
  return request;
}

/** The HostConfig fields these options set, as docker sends them when they are not given. */
export interface DeviceOptions {
  BlkioWeight: number;
  BlkioWeightDevice: { Path: string; Weight: number }[];
  BlkioDeviceReadBps: { Path: string; Rate: number }[];
  BlkioDeviceWriteBps: { Path: string; Rate: number }[];
  BlkioDeviceReadIOps: { Path: string; Rate: number }[];
  BlkioDeviceWriteIOps: { Path: string; Rate: number }[];
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: DeviceRequest[] | null;
}

/** What a flag list gives, each value checked (a failure names the flag, as pflag does). */
type ListOf = <T>(name: string, check: (value: string) => T) => T[];
type NumberOf = (name: string, parse: (text: string) => number) => number;

/** Reads the options above; flag-value failures are reported through `listOf`/`numberOf`. */
export function deviceOptions(listOf: ListOf, numberOf: NumberOf): DeviceOptions {
  const rules = listOf('device-cgroup-rule', validateDeviceCgroupRule);
  const gpus = listOf('gpus', parseGpus);
  return {
    BlkioWeight: numberOf('blkio-weight', (t) => parseGoInteger(t, 16, true)),
    BlkioWeightDevice: listOf('blkio-weight-device', parseWeightDevice),
    BlkioDeviceReadBps: listOf('device-read-bps', parseThrottleBps),
    BlkioDeviceWriteBps: listOf('device-write-bps', parseThrottleBps),
    BlkioDeviceReadIOps: listOf('device-read-iops', parseThrottleIops),
    BlkioDeviceWriteIOps: listOf('device-write-iops', parseThrottleIops),
    CpuRealtimePeriod: numberOf('cpu-rt-period', (t) => parseGoInteger(t, 64, false)),
    CpuRealtimeRuntime: numberOf('cpu-rt-runtime', (t) => parseGoInteger(t, 64, false)),
    DeviceCgroupRules: rules.length > 0 ? rules : null,
    DeviceRequests: gpus.length > 0 ? gpus : null,
  };
}
