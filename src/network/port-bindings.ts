import { invalidArgument } from '../core/index.js';

/** One published port as the engine keeps it: a host address and port to a container port. */
export interface PortMapping {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  /** '' or 0.0.0.0: every address of the host. */
  hostIp: string;
  hostPort: number;
}

/** A requested binding: `hostPort` 0 asks for a free port. */
export type PortRequest = PortMapping;

function parsePortKey(key: string): { proto: PortMapping['proto']; port: number } {
  const [portText = '', protoText = 'tcp'] = key.split('/');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw invalidArgument(`invalid port specification: "${key}"`);
  }
  if (protoText !== 'tcp' && protoText !== 'udp' && protoText !== 'sctp') {
    throw invalidArgument(`invalid proto: ${protoText}`);
  }
  return { proto: protoText, port };
}

/**
 * The bindings a container asks for (Docker's HostConfig.PortBindings, and with
 * PublishAllPorts every exposed port without one on a free host port), in a stable order.
 */
export function requestedPorts(options: {
  portBindings:
    Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined;
  exposedPorts: Record<string, object> | null | undefined;
  publishAll: boolean;
}): PortRequest[] {
  const requests: PortRequest[] = [];
  for (const [key, bindings] of Object.entries(options.portBindings ?? {})) {
    const { proto, port } = parsePortKey(key);
    for (const binding of bindings ?? [{}]) {
      const hostPortText = binding.HostPort ?? '';
      const hostPort = hostPortText === '' ? 0 : Number(hostPortText);
      if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) {
        throw invalidArgument(`invalid port specification: "${hostPortText}"`);
      }
      requests.push({ proto, containerPort: port, hostIp: binding.HostIp ?? '', hostPort });
    }
  }
  if (options.publishAll) {
    for (const key of Object.keys(options.exposedPorts ?? {})) {
      const { proto, port } = parsePortKey(key);
      if (requests.some((r) => r.proto === proto && r.containerPort === port)) continue;
      requests.push({ proto, containerPort: port, hostIp: '', hostPort: 0 });
    }
  }
  return requests.sort(
    (a, b) => a.containerPort - b.containerPort || a.proto.localeCompare(b.proto),
  );
}

/** Whether two bindings claim the same host port (a wildcard address overlaps every other). */
export function conflicts(a: PortMapping, b: PortMapping): boolean {
  const any = (ip: string) => ip === '' || ip === '0.0.0.0';
  return (
    a.proto === b.proto &&
    a.hostPort === b.hostPort &&
    (any(a.hostIp) || any(b.hostIp) || a.hostIp === b.hostIp)
  );
}

/** Docker's NetworkSettings.Ports: `"80/tcp": [{HostIp, HostPort}]`, exposed-only ports null. */
export function portsView(
  mappings: readonly PortMapping[],
  exposedPorts: Record<string, object> | null | undefined,
): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const view: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(exposedPorts ?? {}))
    view[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.proto}`;
    view[key] = [
      ...(view[key] ?? []),
      { HostIp: m.hostIp || '0.0.0.0', HostPort: String(m.hostPort) },
    ];
  }
  return view;
}
