import type {
  Volume,
  VolumeCreateOptions,
  VolumeListResponse,
  VolumePruneResponse,
} from '../../api-types/index.js';
import { ApiError, escapePath } from '../../client/index.js';
import { type FlagSpec, errorMessage, flagBool, flagList, flagString } from '../../core/index.js';
import { FORMAT_HELP, INSPECT_FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { Command } from '../context.js';
import { errorText, isApiStatus } from '../error-text.js';
import { addFilter, filtersQuery, parseFilters } from '../filter-flag.js';
import { GO_STRUCT } from '../go-template.js';
import { fetchInspected } from '../inspect-fetch.js';
import { marshalledVolume, typedVolume } from '../inspect-types.js';
import { marshalJson } from '../json-text.js';
import { confirm } from '../prompt.js';
import { flagValueError, keyValueMap, validateLabel } from '../run-values.js';
import { type Row, renderList } from '../table.js';
import { humanSize } from '../units.js';
import { runInspect } from './image-inspect.js';

/** docker's volume columns (formatter.VolumeContext), `.Label` as its sub-header. */
const VOLUME_HEADERS = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Group: 'GROUP',
  Availability: 'AVAILABILITY',
  Status: 'STATUS',
  Label: (name: string) => (name.split('.').at(-1) ?? '').replace(/[-_]/g, ' '),
} as unknown as Row;

/** One `volume ls` row: docker's VolumeContext methods as fields, `.Label` as a method. */
export function volumeRow(volume: Volume): Row {
  const labels = volume.Labels ?? {};
  const usage = volume.UsageData;
  const row: Record<PropertyKey, unknown> = {
    [GO_STRUCT]: '*formatter.volumeContext',
    Name: volume.Name,
    Driver: volume.Driver,
    Scope: volume.Scope,
    Mountpoint: volume.Mountpoint,
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(','),
    Links: usage ? String(usage.RefCount) : 'N/A',
    Size: usage ? humanSize(usage.Size, 4) : 'N/A',
    // Swarm cluster volumes only.
    Group: 'N/A',
    Availability: 'N/A',
    Status: 'N/A',
    Label: (name: string) => labels[name] ?? '',
  };
  return row as unknown as Row;
}

/** docker's order of volumes: natural order of the names (`v2` before `v10`). */
export function naturalLess(a: string, b: string): boolean {
  const parts = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i] as string, pb[i] as string];
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && Number(x) !== Number(y)) return Number(x) < Number(y);
    return x < y;
  }
  return pa.length < pb.length;
}

/** docker's NewVolumeFormat: the `table` and `raw` keywords, with and without `-q`. */
export function volumeFormat(source: string, quiet: boolean): string {
  if (source === 'table') return quiet ? '{{.Name}}' : 'table {{.Driver}}\\t{{.Name}}';
  if (source === 'raw')
    return quiet ? 'name: {{.Name}}' : 'name: {{.Name}}\\ndriver: {{.Driver}}\\n';
  return source;
}

export const volumeLsCommand: Command = {
  name: 'volume ls',
  summary: 'List volumes',
  usage: 'moor volume ls [OPTIONS]',
  aliases: ['volume ls', 'volume list'],
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'filter',
          short: 'f',
          type: 'list',
          value: 'filter',
          help: 'Provide filter values (e.g. "dangling=true")',
        },
        { name: 'format', type: 'string', help: FORMAT_HELP },
        { name: 'quiet', short: 'q', type: 'bool', help: 'Only display volume names' },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const filters = parseFilters(flagList(flags, 'filter'));
    const listed = await ctx.client().json<VolumeListResponse>('GET', '/volumes', {
      query: { filters: filtersQuery(filters) },
    });
    const volumes = [...(listed.Volumes ?? [])].sort((a, b) =>
      naturalLess(a.Name, b.Name) ? -1 : naturalLess(b.Name, a.Name) ? 1 : 0,
    );
    const format = volumeFormat(flagString(flags, 'format') || 'table', flagBool(flags, 'quiet'));
    ctx.stdout.write(renderList(format, volumes.map(volumeRow), VOLUME_HEADERS));
    return 0;
  },
};

export const volumeInspectCommand: Command = {
  name: 'volume inspect',
  summary: 'Display detailed information on one or more volumes',
  usage: 'moor volume inspect [OPTIONS] VOLUME [VOLUME...]',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [{ name: 'format', short: 'f', type: 'string', help: INSPECT_FORMAT_HELP }],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    return runInspect(ctx, flags.args, flagString(flags, 'format') ?? '', async (ref) => {
      const { value } = await fetchInspected(ctx, `/volumes/${escapePath(ref)}`);
      // docker prints its typed volume.Volume, marshalled again: no raw JSON, no fallback.
      const volume = marshalledVolume(value);
      const typed = typedVolume(volume);
      return { raw: marshalJson(volume), value: volume, typed, typedOnly: true };
    });
  },
};

const CREATE_FLAGS: FlagSpec[] = [
  {
    name: 'driver',
    short: 'd',
    type: 'string',
    value: 'string',
    help: 'Specify volume driver name (default "local")',
  },
  { name: 'label', type: 'list', value: 'list', help: 'Set metadata for a volume' },
  { name: 'name', type: 'string', value: 'string', help: 'Specify volume name', hidden: true },
  {
    name: 'opt',
    short: 'o',
    type: 'list',
    value: 'map',
    help: 'Set driver specific options (default map[])',
  },
];

export const volumeCreateCommand: Command = {
  name: 'volume create',
  summary: 'Create a volume',
  usage: 'moor volume create [OPTIONS] [VOLUME]',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, CREATE_FLAGS, argv);
    if (!flags) return 0;
    // docker checks labels as it parses the flags, before the arguments.
    for (const label of flagList(flags, 'label')) {
      try {
        validateLabel(label);
      } catch (err) {
        throw flagValueError('label', label, errorMessage(err));
      }
    }
    checkArgs(this, flags.args, 0, 1);
    const name = flagString(flags, 'name') ?? '';
    if (flags.args.length === 1 && name !== '') {
      throw new Error(
        'conflicting options: cannot specify a volume-name through both --name and as a positional arg',
      );
    }
    // As docker's: empty options and labels are left out (the volume then shows null).
    const options = keyValueMap(flagList(flags, 'opt'));
    const labels = keyValueMap(flagList(flags, 'label'));
    const request: VolumeCreateOptions = {
      Driver: flagString(flags, 'driver') || 'local',
      ...(Object.keys(options).length > 0 ? { DriverOpts: options } : {}),
      ...(Object.keys(labels).length > 0 ? { Labels: labels } : {}),
      Name: flags.args[0] ?? name,
    };
    const created = await ctx.client().json<Volume>('POST', '/volumes/create', { body: request });
    ctx.stdout.write(`${created.Name}\n`);
    return 0;
  },
};

export const volumeRmCommand: Command = {
  name: 'volume rm',
  summary: 'Remove one or more volumes',
  description:
    'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
  usage: 'moor volume rm [OPTIONS] VOLUME [VOLUME...]',
  aliases: ['volume rm', 'volume remove'],
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'force',
          short: 'f',
          type: 'bool',
          help: 'Force the removal of one or more volumes',
        },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 1);
    const force = flagBool(flags, 'force');
    const errors: string[] = [];
    for (const name of flags.args) {
      try {
        await ctx.client().json('DELETE', `/volumes/${escapePath(name)}`, {
          query: { force: force ? '1' : undefined },
        });
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (force && isApiStatus(err, 404)) continue;
        errors.push(errorText(err));
      }
    }
    if (errors.length === 0) return 0;
    ctx.stderr.write(`${errors.join('\n')}\n`);
    return 1;
  },
};

const PRUNE_ANONYMOUS =
  'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const PRUNE_ALL =
  'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

/** docker's report: `Deleted Volumes:` and the names, a blank line, then the total. */
export function volumePruneReport(report: VolumePruneResponse): string {
  const deleted = report.VolumesDeleted ?? [];
  const list = deleted.length > 0 ? `Deleted Volumes:\n${deleted.join('\n')}\n\n` : '';
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0, 4)}\n`;
}

export const volumePruneCommand: Command = {
  name: 'volume prune',
  summary: 'Remove unused local volumes',
  usage: 'moor volume prune [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        {
          name: 'all',
          short: 'a',
          type: 'bool',
          help: 'Remove all unused volumes, not just anonymous ones',
        },
        {
          name: 'filter',
          type: 'list',
          value: 'filter',
          help: 'Provide filter values (e.g. "label=<label>")',
        },
        { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const filters = parseFilters(flagList(flags, 'filter'), '--filter');
    const all = flagBool(flags, 'all');
    if (all) {
      if (filters['all']) {
        throw new Error('conflicting options: cannot specify both --all and --filter all=1');
      }
      // docker 28 asks for every unused volume with the filter all=true.
      addFilter(filters, 'all', 'true');
    }
    const warning = all ? PRUNE_ALL : PRUNE_ANONYMOUS;
    if (!flagBool(flags, 'force') && !(await confirm(ctx, warning))) return 0;
    const report = await ctx.client().json<VolumePruneResponse>('POST', '/volumes/prune', {
      query: { filters: filtersQuery(filters) },
    });
    ctx.stdout.write(volumePruneReport(report));
    return 0;
  },
};
