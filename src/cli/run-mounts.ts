/**
 * `-v/--volume`, `--mount` and `--tmpfs` as docker's CLI reads them: `-v` with a source becomes
 * a HostConfig.Binds entry (a relative `./path` made absolute), without one an anonymous volume
 * in Config.Volumes; `--mount` is docker's CSV syntax (opts.MountOpt) → HostConfig.Mounts.
 */
import { isAbsolute, resolve } from 'node:path';

import type { MountSpec } from '../api-types/index.js';
import { parseRamBytes, sortedRecord } from './run-values.js';

/** Go's encoding/csv on one line: comma-separated fields, `"..."` quoting with `""` escapes. */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length)
          throw new Error('record on line 1; parse error: extraneous or missing " in quoted-field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') {
        throw new Error(
          `parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`,
        );
      }
    } else {
      const comma = line.indexOf(',', i);
      field = comma === -1 ? line.slice(i) : line.slice(i, comma);
      i = comma === -1 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++;
  }
}

/** How `-v` specs split: binds (with a source) and anonymous volumes. */
export interface VolumeSpecs {
  binds: string[];
  volumes: Record<string, Record<string, never>>;
}

/** `-v` values: `[source:]target[:options]`. */
export function parseVolumes(values: readonly string[], cwd: string): VolumeSpecs {
  const binds: string[] = [];
  const volumes = new Map<string, Record<string, never>>();
  for (const spec of values) {
    if (spec === '') throw new Error('invalid empty volume spec');
    const colon = spec.indexOf(':');
    if (colon === -1) {
      volumes.set(spec, {});
      continue;
    }
    let source = spec.slice(0, colon);
    const rest = spec.slice(colon + 1);
    if (source === '') throw new Error(`invalid volume specification: '${spec}'`);
    if (!isAbsolute(source) && source.startsWith('.')) source = resolve(cwd, source);
    binds.push(`${source}:${rest}`);
  }
  return { binds, volumes: sortedRecord(volumes) };
}

function parseGoBool(key: string, value: string): boolean {
  if (/^(1|t|T|TRUE|true|True)$/.test(value)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(value)) return false;
  throw new Error(`invalid value for ${key}: ${value}`);
}

interface MountParts {
  mount: MountSpec;
  bind?: Record<string, unknown>;
  volume?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    Subpath?: string;
    DriverConfig: { Name?: string; Options?: Record<string, string> };
  };
  tmpfs?: { SizeBytes?: number; Mode?: number };
}

function setOnMap(target: Record<string, string>, value: string): void {
  const eq = value.indexOf('=');
  const key = eq === -1 ? value : value.slice(0, eq);
  if (key !== '') target[key] = eq === -1 ? '' : value.slice(eq + 1);
}

function applyMountField(parts: MountParts, field: string, cwd: string): void {
  const eq = field.indexOf('=');
  const key = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
  const value = eq === -1 ? '' : field.slice(eq + 1);
  const { mount } = parts;
  const volume = () => (parts.volume ??= { DriverConfig: {} });
  const bind = () => (parts.bind ??= {});
  const tmpfs = () => (parts.tmpfs ??= {});
  if (eq === -1) {
    if (key === 'readonly' || key === 'ro') mount.ReadOnly = true;
    else if (key === 'volume-nocopy') volume().NoCopy = true;
    else if (key === 'bind-nonrecursive') bind()['NonRecursive'] = true;
    else throw new Error(`invalid field '${field}' must be a key=value pair`);
    return;
  }
  switch (key) {
    case 'type':
      mount.Type = value.toLowerCase();
      return;
    case 'source':
    case 'src':
      mount.Source = !isAbsolute(value) && value.startsWith('.') ? resolve(cwd, value) : value;
      return;
    case 'target':
    case 'dst':
    case 'destination':
      mount.Target = value;
      return;
    case 'readonly':
    case 'ro':
      mount.ReadOnly = parseGoBool(key, value);
      return;
    case 'consistency':
      mount.Consistency = value.toLowerCase();
      return;
    case 'bind-propagation':
      bind()['Propagation'] = value.toLowerCase();
      return;
    case 'bind-nonrecursive':
      bind()['NonRecursive'] = parseGoBool(key, value);
      return;
    case 'bind-recursive':
      if (value === 'disabled') bind()['NonRecursive'] = true;
      else if (value === 'writable') bind()['ReadOnlyNonRecursive'] = true;
      else if (value === 'readonly') bind()['ReadOnlyForceRecursive'] = true;
      else if (value !== 'enabled') {
        throw new Error(
          `invalid value for ${key}: ${value} (must be "enabled", "disabled", "writable", or "readonly")`,
        );
      }
      return;
    case 'volume-subpath':
      volume().Subpath = value;
      return;
    case 'volume-nocopy':
      try {
        volume().NoCopy = parseGoBool(key, value);
      } catch {
        throw new Error(`invalid value for volume-nocopy: ${value}`);
      }
      return;
    case 'volume-label':
      setOnMap((volume().Labels ??= {}), value);
      return;
    case 'volume-driver':
      volume().DriverConfig.Name = value;
      return;
    case 'volume-opt':
      setOnMap((volume().DriverConfig.Options ??= {}), value);
      return;
    case 'tmpfs-size':
      try {
        tmpfs().SizeBytes = parseRamBytes(value);
      } catch {
        throw new Error(`invalid value for ${key}: ${value}`);
      }
      return;
    case 'tmpfs-mode':
      if (!/^[0-7]+$/.test(value)) throw new Error(`invalid value for ${key}: ${value}`);
      tmpfs().Mode = parseInt(value, 8);
      return;
    default:
      throw new Error(`unexpected key '${key}' in '${field}'`);
  }
}

/** One `--mount` value (opts.MountOpt.Set). */
export function parseMount(value: string, cwd: string): MountSpec {
  const parts: MountParts = { mount: { Type: 'volume' } };
  for (const field of csvFields(value)) applyMountField(parts, field, cwd);
  const { mount } = parts;
  if (!mount.Type) throw new Error('type is required');
  if (!mount.Target) throw new Error('target is required');
  const mix = (what: string, type: string) =>
    new Error(`cannot mix '${what}-*' options with mount type '${type}'`);
  if (parts.volume && mount.Type !== 'volume') throw mix('volume', mount.Type);
  if (parts.bind && mount.Type !== 'bind') throw mix('bind', mount.Type);
  if (parts.tmpfs && mount.Type !== 'tmpfs') throw mix('tmpfs', mount.Type);
  if (parts.bind?.['ReadOnlyNonRecursive'] && !mount.ReadOnly) {
    throw new Error(
      "option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction",
    );
  }
  if (parts.bind?.['ReadOnlyForceRecursive']) {
    if (!mount.ReadOnly) {
      throw new Error(
        "option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction",
      );
    }
    if (parts.bind['Propagation'] !== 'rprivate') {
      throw new Error(
        "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction",
      );
    }
  }
  // Go's field order: Type, Source, Target, ReadOnly, Consistency, then the options.
  const ordered: MountSpec = { Type: mount.Type };
  if (mount.Source) ordered.Source = mount.Source;
  ordered.Target = mount.Target;
  if (mount.ReadOnly) ordered.ReadOnly = true;
  if (mount.Consistency) ordered.Consistency = mount.Consistency;
  if (parts.bind) ordered.BindOptions = parts.bind;
  if (parts.volume) ordered.VolumeOptions = volumeOptions(parts.volume);
  if (parts.tmpfs) ordered.TmpfsOptions = { ...parts.tmpfs };
  return ordered;
}

function volumeOptions(volume: NonNullable<MountParts['volume']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (volume.NoCopy) out['NoCopy'] = true;
  if (volume.Labels && Object.keys(volume.Labels).length > 0)
    out['Labels'] = sortedRecord(volume.Labels);
  if (volume.Subpath) out['Subpath'] = volume.Subpath;
  const driver: Record<string, unknown> = {};
  if (volume.DriverConfig.Name) driver['Name'] = volume.DriverConfig.Name;
  if (volume.DriverConfig.Options) driver['Options'] = sortedRecord(volume.DriverConfig.Options);
  out['DriverConfig'] = driver;
  return out;
}

/** `--tmpfs /path[:options]` values → HostConfig.Tmpfs. */
export function parseTmpfs(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const map = new Map<string, string>();
  for (const value of values) {
    const colon = value.indexOf(':');
    map.set(
      colon === -1 ? value : value.slice(0, colon),
      colon === -1 ? '' : value.slice(colon + 1),
    );
  }
  return sortedRecord(map);
}
