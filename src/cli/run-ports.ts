/**
 * `-p/--publish` and `--expose` as docker's CLI reads them (go-connections' nat.ParsePortSpec):
 * `[ip:][hostPort:]containerPort[/proto]` with ranges, and the long form
 * `target=80,published=8080,protocol=udp`. The results are the create body's ExposedPorts and
 * HostConfig.PortBindings.
 */
import type { PortBinding } from '../api-types/index.js';
import { canonicalIp, sortedRecord } from './run-values.js';

export interface PortSpecs {
  /** `80/tcp` → {} */
  exposed: Map<string, Record<string, never>>;
  bindings: Map<string, PortBinding[]>;
}

/** nat.ParsePortRange: `80` or `7000-7010`. */
function parsePortRange(text: string): [number, number] {
  if (text === '') throw new Error('empty string specified for ports');
  const parse = (part: string) => {
    if (!/^\d+$/.test(part) || Number(part) > 65535) throw new Error(`invalid port ${part}`);
    return Number(part);
  };
  if (!text.includes('-')) {
    const port = parse(text);
    return [port, port];
  }
  const [first = '', second = ''] = text.split('-');
  const start = parse(first);
  const end = parse(second);
  if (end < start) throw new Error(`invalid range specified for port: ${text}`);
  return [start, end];
}

/** nat.SplitProtoPort: `53/udp` → ['udp', '53']; no protocol is tcp. */
function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0] as string];
  return [parts[1] as string, parts[0] as string];
}

/** The long `--publish` syntax rewritten to the short one (docker's convertToStandardNotation). */
function standardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const params = new Map<string, string>([['protocol', 'tcp']]);
  for (const param of spec.split(',')) {
    const eq = param.indexOf('=');
    if (eq <= 0) {
      throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
    }
    params.set(param.slice(0, eq), param.slice(eq + 1));
  }
  return `${params.get('published') ?? ''}:${params.get('target') ?? ''}/${params.get('protocol') ?? ''}`;
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1] as string;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0] as string, container];
  if (n === 3) return [parts[0] as string, parts[1] as string, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2] as string, container];
}

interface PortMapping {
  port: string;
  binding: PortBinding;
}

/** nat.ParsePortSpec. */
function parsePortSpec(raw: string): PortMapping[] {
  const [rawIp, rawHostPort, rawContainer] = splitParts(raw);
  const [proto, containerPort] = splitProtoPort(rawContainer);
  let ip = rawIp;
  if (ip.startsWith('[')) {
    const close = ip.indexOf(']');
    if (close === -1 || close !== ip.length - 1) throw new Error(`invalid IP address ${ip}`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && canonicalIp(ip) === undefined) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (rawHostPort !== '') {
    try {
      [hostStart, hostEnd] = parsePortRange(rawHostPort);
    } catch {
      throw new Error(`invalid hostPort: ${rawHostPort}`);
    }
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new Error(
        `invalid ranges specified for container and host Ports: ${containerPort} and ${rawHostPort}`,
      );
    }
  }
  const protocol = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw new Error(`invalid proto: ${proto}`);
  const mappings: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hostPort = rawHostPort === '' ? '' : String(hostStart + i);
    if (start === end && hostStart !== hostEnd) hostPort = `${hostPort}-${hostEnd}`;
    mappings.push({
      port: `${start + i}/${protocol}`,
      binding: { HostIp: ip, HostPort: hostPort },
    });
  }
  return mappings;
}

/** `--publish` values → exposed ports and bindings (nat.ParsePortSpecs). */
export function parsePublish(values: readonly string[]): PortSpecs {
  const exposed = new Map<string, Record<string, never>>();
  const bindings = new Map<string, PortBinding[]>();
  for (const value of values) {
    for (const { port, binding } of parsePortSpec(standardNotation(value))) {
      exposed.set(port, {});
      bindings.set(port, [...(bindings.get(port) ?? []), binding]);
    }
  }
  return { exposed, bindings };
}

/** `--expose` values (`3000`, `4000-4001/udp`) added to the exposed ports. */
export function addExposed(
  exposed: Map<string, Record<string, never>>,
  values: readonly string[],
): void {
  for (const value of values) {
    if (value.includes(':')) throw new Error(`invalid port format for --expose: ${value}`);
    const [proto, port] = splitProtoPort(value);
    let range: [number, number];
    try {
      range = parsePortRange(port);
    } catch (err) {
      throw new Error(
        `invalid range format for --expose: ${value}, error: ${(err as Error).message}`,
      );
    }
    for (let p = range[0]; p <= range[1]; p++) {
      const key = `${p}/${proto}`;
      if (!exposed.has(key)) exposed.set(key, {});
    }
  }
}

/** The maps as the create body carries them (Go's sorted map keys). */
export function portFields(specs: PortSpecs): {
  ExposedPorts: Record<string, Record<string, never>> | undefined;
  PortBindings: Record<string, PortBinding[]>;
} {
  return {
    ExposedPorts: specs.exposed.size === 0 ? undefined : sortedRecord(specs.exposed),
    PortBindings: sortedRecord(specs.bindings),
  };
}
