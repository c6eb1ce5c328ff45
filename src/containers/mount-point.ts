import type { MountSpec } from '../api-types/index.js';
import { invalidArgument } from '../core/index.js';

/**
 * A container's mount as moord stores it (Docker's MountPoint): what `-v`, `--mount`,
 * `--volumes-from` and the image's VOLUMEs asked for, resolved at create. Inspect shows these
 * as `Mounts`; the runtime config is built from them at each start.
 */
export interface MountPoint {
  type: 'bind' | 'volume' | 'tmpfs';
  /** The volume's name (volumes only; absent until an anonymous volume is made). */
  name?: string;
  /** The host path of a bind ('' for volumes and tmpfs: a volume's data dir is looked up). */
  source: string;
  destination: string;
  /** `local` for volumes. */
  driver?: string;
  /** The mode as shown by inspect (`-v`'s text, `z` for a local volume without one). */
  mode: string;
  rw: boolean;
  /** Bind propagation (`rprivate` unless told; '' for volumes). */
  propagation: string;
  /** Copy the image's content at the destination into an empty volume (not with `nocopy`). */
  copyData: boolean;
  /** A missing bind source is created (as for `-v`; `--mount` refuses instead). */
  createSource?: boolean;
  /** `--mount`'s tmpfs size (bytes) and mode. */
  tmpfs?: { sizeBytes?: number; mode?: number };
  /** For a volume that does not exist yet: how `--mount` wants it created. */
  volumeOptions?: { labels?: Record<string, string>; driverOpts?: Record<string, string> };
}

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const DEFAULT_PROPAGATION = 'rprivate';
const RW_MODES = new Set(['rw', 'ro', 'ro-non-recursive', 'ro-force-recursive', 'rro']);
const LABEL_MODES = new Set(['z', 'Z']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);

interface Mode {
  rw: boolean;
  propagation?: string;
  /** Set when `nocopy` was given. */
  noCopy: boolean;
}

/** A `-v` mode (`ro,Z,rshared,nocopy`) by Docker's rules (one of each kind), or undefined. */
function parseMode(mode: string): Mode | undefined {
  const counts = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  const parsed: Mode = { rw: true, noCopy: false };
  for (const part of mode === '' ? [] : mode.split(',')) {
    if (RW_MODES.has(part)) {
      counts.rw++;
      parsed.rw = part === 'rw';
    } else if (LABEL_MODES.has(part)) counts.label++;
    else if (PROPAGATIONS.has(part)) {
      counts.propagation++;
      parsed.propagation = part;
    } else if (part === 'nocopy') {
      counts.copy++;
      parsed.noCopy = true;
    } else if (CONSISTENCY_MODES.has(part)) counts.consistency++;
    else return undefined;
  }
  return Object.values(counts).some((n) => n > 1) ? undefined : parsed;
}

/** Cleans a container path (`/a//b/` → `/a/b`). */
export function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Docker's errMountConfig text: `invalid mount config for type "bind": WHY`. */
function mountConfigError(type: string, why: string): string {
  return `invalid mount config for type "${type}": ${why}`;
}

/** The checks every mount's target gets (not `/`, absolute). */
function targetProblem(target: string): string | undefined {
  if (target === '') return 'field Target must not be empty';
  if (cleanPath(target) === '/') return "invalid specification: destination can't be '/'";
  if (!target.startsWith('/')) return `invalid mount path: '${target}' mount path must be absolute`;
  return undefined;
}

/**
 * One HostConfig.Binds entry (`src:dst[:mode]` or `dst`), as Docker's Linux parser reads it:
 * an absolute source is a bind, any other a named volume, none an anonymous volume.
 */
export function parseBind(raw: string): MountPoint {
  const invalid = (why?: string) =>
    invalidArgument(`invalid volume specification: '${raw}'${why ? `: ${why}` : ''}`);
  const parts = raw.split(':');
  if (parts[0] === '' || parts.length > 3) throw invalid();
  let source = '';
  let target = parts[0] as string;
  let modeText = '';
  if (parts.length >= 2) {
    // `dst:mode` is not a volume (volumes cannot carry a mode without a source).
    if (parts.length === 2 && parseMode(parts[1] as string)) throw invalid();
    [source, target] = parts as [string, string];
    modeText = parts[2] ?? '';
  }
  const mode = parseMode(modeText);
  if (!mode) throw invalidArgument(`invalid mode: ${modeText}`);
  const type = source.startsWith('/') ? 'bind' : 'volume';
  const problem = targetProblem(target);
  if (problem) throw invalid(mountConfigError(type, problem));
  const destination = cleanPath(target);
  if (type === 'bind') {
    if (mode.noCopy)
      throw invalid(mountConfigError(type, 'field VolumeOptions must not be specified'));
    return {
      type,
      source: cleanPath(source),
      destination,
      mode: modeText,
      rw: mode.rw,
      propagation: mode.propagation ?? DEFAULT_PROPAGATION,
      copyData: false,
      createSource: true,
    };
  }
  if (mode.propagation)
    throw invalid(mountConfigError(type, 'field BindOptions must not be specified'));
  return {
    type,
    ...(source ? { name: source } : {}),
    source: '',
    destination,
    driver: 'local',
    mode: modeText || 'z',
    rw: mode.rw,
    propagation: '',
    copyData: !mode.noCopy,
  };
}

/** One HostConfig.Mounts entry (`--mount`), checked as Docker's mount validation does. */
export function parseMountSpec(spec: MountSpec): MountPoint {
  const type = spec.Type ?? '';
  const fail = (why: string) => invalidArgument(mountConfigError(type, why));
  const target = spec.Target ?? '';
  const problem = targetProblem(target);
  if (problem) throw fail(problem);
  const rw = spec.ReadOnly !== true;
  const destination = cleanPath(target);
  const source = spec.Source ?? '';
  const extra = (field: string) => fail(`field ${field} must not be specified`);
  switch (type) {
    case 'bind': {
      if (source === '') throw fail('field Source must not be empty');
      const given = spec.BindOptions?.['Propagation'];
      const propagation = typeof given === 'string' && given !== '' ? given : DEFAULT_PROPAGATION;
      if (!PROPAGATIONS.has(propagation)) throw fail(`invalid propagation mode: ${propagation}`);
      if (spec.VolumeOptions) throw extra('VolumeOptions');
      if (!source.startsWith('/')) {
        throw fail(`invalid mount path: '${source}' mount path must be absolute`);
      }
      const create = spec.BindOptions?.['CreateMountpoint'] === true;
      return {
        type,
        source: cleanPath(source),
        destination,
        mode: '',
        rw,
        propagation,
        copyData: false,
        ...(create ? { createSource: true } : {}),
      };
    }
    case 'volume': {
      if (spec.BindOptions) throw extra('BindOptions');
      const options = spec.VolumeOptions ?? {};
      if (source === '' && options['Subpath']) {
        throw fail('must not set Subpath when using anonymous volumes');
      }
      if (options['Subpath']) throw fail('volume subpaths are not supported');
      if (spec.ReadOnly && source === '') {
        throw fail('must not set ReadOnly mode when using anonymous volumes');
      }
      const driver = (options['DriverConfig'] ?? {}) as {
        Name?: string;
        Options?: Record<string, string>;
      };
      const labels = options['Labels'] as Record<string, string> | undefined;
      return {
        type,
        ...(source ? { name: source } : {}),
        source: '',
        destination,
        driver: driver.Name || 'local',
        mode: 'z',
        rw,
        propagation: '',
        copyData: options['NoCopy'] !== true,
        volumeOptions: {
          ...(labels ? { labels } : {}),
          ...(driver.Options ? { driverOpts: driver.Options } : {}),
        },
      };
    }
    case 'tmpfs': {
      if (spec.BindOptions) throw extra('BindOptions');
      if (source !== '') throw extra('Source');
      const options = spec.TmpfsOptions ?? {};
      const size = options['SizeBytes'];
      const mode = options['Mode'];
      return {
        type,
        source: '',
        destination,
        mode: '',
        rw,
        propagation: '',
        copyData: false,
        tmpfs: {
          ...(typeof size === 'number' && size !== 0 ? { sizeBytes: size } : {}),
          ...(typeof mode === 'number' && mode !== 0 ? { mode } : {}),
        },
      };
    }
    default:
      throw fail('mount type unknown');
  }
}

/** `--volumes-from ctr[:mode]`: the container and whether its mounts stay writable. */
export function parseVolumesFrom(spec: string): { container: string; rw: boolean } {
  if (spec === '') throw invalidArgument('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const container = colon === -1 ? spec : spec.slice(0, colon);
  const modeText = colon === -1 ? '' : spec.slice(colon + 1);
  const mode = parseMode(modeText);
  if (!mode || mode.propagation || mode.noCopy) throw invalidArgument(`invalid mode: ${modeText}`);
  return { container, rw: mode.rw };
}

/** Docker's tmpfs data for a `--mount type=tmpfs` (ro, octal mode, size in the largest exact unit). */
export function tmpfsData(m: MountPoint): string {
  const parts: string[] = [];
  if (!m.rw) parts.push('ro');
  if (m.tmpfs?.mode !== undefined) parts.push(`mode=${m.tmpfs.mode.toString(8)}`);
  const size = m.tmpfs?.sizeBytes;
  if (size !== undefined) {
    const unit = (
      [
        [1024 ** 3, 'g'],
        [1024 ** 2, 'm'],
        [1024, 'k'],
      ] as const
    ).find(([bytes]) => size % bytes === 0);
    parts.push(unit ? `size=${size / unit[0]}${unit[1]}` : `size=${size}`);
  }
  return parts.join(',');
}

/**
 * The note for `-v` binds with `z`/`Z`: SELinux relabeling is not done (moord applies no
 * SELinux labels), so the option has no effect. Sent as the create response's Warnings.
 */
export function labelModeWarnings(binds: readonly string[]): string[] {
  return binds.flatMap((raw) => {
    const parts = raw.split(':');
    const label = (parts[2] ?? '').split(',').find((p) => LABEL_MODES.has(p));
    return label && parts.length === 3
      ? [`the "${label}" option of volume "${raw}" is ignored: SELinux relabeling is not supported`]
      : [];
  });
}
