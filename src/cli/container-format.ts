/**
 * `moor ps` rows as docker's formatter.ContainerContext renders them: truncated ids and
 * commands, familiar image names, the PORTS column grouped into ranges, `SIZE` as
 * `2B (virtual 4.26MB)`, and the `.Label "key"` method.
 */
import type { ContainerSummary, Port } from '../api-types/index.js';
import { isMoorError } from '../core/index.js';
import { familiarString, parseReference, withTag } from '../oci/index.js';
import { GO_STRUCT, TemplateError, compileTemplate } from './go-template.js';
import { goTimeString, timeAgo } from './human-time.js';
import { type Row, ellipsis, truncateId } from './table.js';
import { humanSize } from './units.js';

const DEFAULT_TABLE =
  'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}';

/** docker's NewContainerFormat: the `table` and `raw` keywords, `-q` and `-s`. */
export function containerFormat(source: string, quiet: boolean, size: boolean): string {
  if (source === 'table' || source === '') {
    if (quiet) return '{{.ID}}';
    return size ? `${DEFAULT_TABLE}\\t{{.Size}}` : DEFAULT_TABLE;
  }
  if (source === 'raw') {
    if (quiet) return 'container_id: {{.ID}}';
    const base =
      'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n';
    return size ? `${base}size: {{.Size}}\\n` : base;
  }
  return quiet ? '{{.ID}}' : source;
}

/** The column names (docker's NewContainerContext header), `.Label` as its SubHeaderContext. */
export const CONTAINER_HEADERS = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
  Label: (name: string) => (name.split('.').at(-1) ?? '').replace(/[-_]/g, ' '),
} as unknown as Row;

/** The Go type docker renders `ps` rows as (its errors name it). */
const ROW_TYPE = '*formatter.ContainerContext';

/**
 * docker ps's check of a `--format` template: run once on an empty row, as docker does (so a
 * missing field or a failing call is an error before anything is listed). Returns whether the
 * template reads `.Size` (docker then asks the daemon for sizes). Throws
 * `failed to parse template: ...` or `failed to execute template: ...`.
 */
export function checkTemplate(format: string): { usesSize: boolean } {
  let usesSize = false;
  const probe = containerRow({ Id: '', Names: [], Created: 0 } as unknown as ContainerSummary, {
    trunc: false,
  }) as unknown as Record<string, unknown>;
  // A getter, so that `{{json .}}` (which marshals every field, as docker's does) reads it too.
  Object.defineProperty(probe, 'Size', {
    enumerable: true,
    get() {
      usesSize = true;
      return '0B';
    },
  });
  let render;
  try {
    // The raw text, as docker parses it: `json` and `table` are then plain text.
    render = compileTemplate(format);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new Error(`failed to parse template: ${err.message}`, { cause: err });
  }
  try {
    render(probe);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new Error(`failed to execute template: ${err.message}`, { cause: err });
  }
  return { usesSize };
}

const GO_ESCAPES: Readonly<Record<string, string>> = { '\u0007': '\\a', '\u000b': '\\v' };

/** Go's strconv.Quote (ASCII control characters as \a \b \f \n \r \t \v or \xNN). */
export function goQuote(text: string): string {
  return JSON.stringify(text)
    .replace(/\\u00([0-1][0-9a-f])/g, (_m, hex: string) => {
      const ch = String.fromCharCode(parseInt(hex, 16));
      return GO_ESCAPES[ch] ?? `\\x${hex}`;
    })
    .replace(/\u007f/g, '\\x7f');
}

/** docker's ContainerContext.Image: a familiar `name:tag` (digest dropped) when truncating. */
export function displayImage(image: string, imageId: string, trunc: boolean): string {
  if (image === '') return '<no image>';
  if (!trunc) return image;
  if (truncateId(imageId) === truncateId(image)) return truncateId(image);
  try {
    const ref = parseReference(image);
    const bare = { domain: ref.domain, path: ref.path };
    return ref.tag !== undefined ? familiarString(withTag(bare, ref.tag)) : familiarString(bare);
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) return image;
    throw err;
  }
}

/** docker's ContainerContext.Names: without `/`; truncated, only the container's own name. */
export function displayNames(names: readonly string[], trunc: boolean): string {
  const stripped = names.map((name) => name.slice(1));
  if (trunc) {
    const own = stripped.find((name) => !name.includes('/'));
    if (own !== undefined) return own;
  }
  return stripped.join(',');
}

function comparePorts(a: Port, b: Port): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ipA = a.IP ?? '';
  const ipB = b.IP ?? '';
  if (ipA !== ipB) return ipA < ipB ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  const ip = parts.length > 1 ? (parts[0] as string) : '';
  const type = parts.length > 1 ? (parts[1] as string) : (parts[0] as string);
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

/** docker's DisplayablePorts: `0.0.0.0:8080->80/tcp, 9000-9001/tcp`. */
export function displayPorts(ports: readonly Port[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    let key = port.Type;
    if (port.IP) {
      if (port.PublicPort !== current) {
        hostMappings.push(
          `${joinHostPort(port.IP, String(port.PublicPort ?? 0))}->${port.PrivatePort}/${port.Type}`,
        );
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(formGroup(key, group.first, group.last));
    groups.set(key, { first: current, last: current });
  }
  for (const [key, group] of groups) result.push(formGroup(key, group.first, group.last));
  return [...result, ...hostMappings].join(', ');
}

export interface ContainerRowOptions {
  trunc: boolean;
  now?: number;
}

interface PlatformInfo {
  architecture?: string;
  os?: string;
  variant?: string;
}

/** One `ps` row: docker's ContainerContext methods as fields, `.Label` as a method. */
export function containerRow(c: ContainerSummary, options: ContainerRowOptions): Row {
  const labels = c.Labels ?? {};
  const sizeRw = humanSize(c.SizeRw ?? 0, 3);
  const rootFs = c.SizeRootFs ?? 0;
  const platform = (c as { ImageManifestDescriptor?: { platform?: PlatformInfo } })
    .ImageManifestDescriptor?.platform;
  const row: Record<PropertyKey, unknown> = {
    [GO_STRUCT]: ROW_TYPE,
    ID: options.trunc ? truncateId(c.Id) : c.Id,
    Names: displayNames(c.Names ?? [], options.trunc),
    Image: displayImage(c.Image ?? '', c.ImageID ?? '', options.trunc),
    Command: goQuote(options.trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? '')),
    CreatedAt: goTimeString(c.Created),
    RunningFor: timeAgo(c.Created, options.now),
    Ports: displayPorts(c.Ports ?? []),
    State: c.State ?? '',
    Status: c.Status ?? '',
    Size: rootFs > 0 ? `${sizeRw} (virtual ${humanSize(rootFs, 3)})` : sizeRw,
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(','),
    Mounts: (c.Mounts ?? [])
      .map((m) => {
        const name = m.Name || m.Source;
        return options.trunc ? ellipsis(name, 15) : name;
      })
      .join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    Platform: platform
      ? { architecture: platform.architecture, os: platform.os, variant: platform.variant }
      : null,
    Label: (name: string) => labels[name] ?? '',
  };
  return row as unknown as Row;
}
