import type {
  ContainerSummary,
  ImagePruneResponse,
  ImageSummary,
  Volume,
} from '../../api-types/index.js';
import { CONTAINER_HEADERS, containerRow } from '../container-format.js';
import { timeAgo } from '../human-time.js';
import { type FlagSpec, flagBool, flagList, flagString } from '../../core/index.js';
import { FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { type Filters, addFilter, filtersQuery, parseFilters } from '../filter-flag.js';
import { confirm } from '../prompt.js';
import { type Row, renderList } from '../table.js';
import { humanSize } from '../units.js';

/** What `GET /system/df` answers, as far as the summary needs it. */
export interface DiskUsage {
  LayersSize: number;
  Images: Array<{ Size: number; SharedSize: number; Containers: number }> | null;
  Containers: Array<{ State: string; SizeRw?: number }> | null;
  Volumes: Array<Pick<Volume, 'UsageData'>> | null;
  BuildCache: Array<{ Size: number; InUse: boolean }> | null;
}

const HEADERS: Row = {
  Type: 'TYPE',
  TotalCount: 'TOTAL',
  Active: 'ACTIVE',
  Size: 'SIZE',
  Reclaimable: 'RECLAIMABLE',
};

/** `SIZE (PERCENT%)` of what can go, as docker prints it (no percent of nothing). */
function reclaimable(size: number, total: number): string {
  const text = humanSize(size, 4);
  return total > 0 ? `${text} (${Math.floor((size * 100) / total)}%)` : text;
}

/** docker system df's four rows (formatter.DiskUsageContext). */
export function diskUsageRows(du: DiskUsage): Row[] {
  const images = du.Images ?? [];
  const used = images
    .filter((i) => i.Containers > 0 && i.Size !== -1 && i.SharedSize !== -1)
    .reduce((sum, i) => sum + i.Size - i.SharedSize, 0);
  const containers = du.Containers ?? [];
  const isActive = (state: string) =>
    state === 'running' || state === 'paused' || state === 'restarting';
  const containerSize = containers.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
  const idle = containers
    .filter((c) => !isActive(c.State))
    .reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
  const volumes = du.Volumes ?? [];
  const sizeOf = (v: Pick<Volume, 'UsageData'>) => Math.max(0, v.UsageData?.Size ?? 0);
  const volumeSize = volumes.reduce((sum, v) => sum + sizeOf(v), 0);
  const unusedVolumes = volumes
    .filter((v) => (v.UsageData?.RefCount ?? 0) === 0)
    .reduce((sum, v) => sum + sizeOf(v), 0);
  const cache = du.BuildCache ?? [];
  const cacheSize = cache.reduce((sum, c) => sum + c.Size, 0);
  const cacheIdle = cache.filter((c) => !c.InUse).reduce((sum, c) => sum + c.Size, 0);
  return [
    {
      Type: 'Images',
      TotalCount: String(images.length),
      Active: String(images.filter((i) => i.Containers > 0).length),
      Size: humanSize(du.LayersSize, 4),
      Reclaimable: reclaimable(du.LayersSize - used, du.LayersSize),
    },
    {
      Type: 'Containers',
      TotalCount: String(containers.length),
      Active: String(containers.filter((c) => isActive(c.State)).length),
      Size: humanSize(containerSize, 4),
      Reclaimable: reclaimable(idle, containerSize),
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(volumes.length),
      Active: String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length),
      Size: humanSize(volumeSize, 4),
      Reclaimable: reclaimable(unusedVolumes, volumeSize),
    },
    {
      Type: 'Build Cache',
      TotalCount: String(cache.length),
      Active: String(cache.filter((c) => c.InUse).length),
      Size: humanSize(cacheSize, 4),
      Reclaimable: humanSize(cacheIdle, 4),
    },
  ];
}

export const systemDfCommand: Command = {
  name: 'system df',
  summary: 'Show moor disk usage',
  usage: 'moor system df [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [
        { name: 'format', type: 'string', value: 'string', help: FORMAT_HELP },
        {
          name: 'verbose',
          short: 'v',
          type: 'bool',
          help: 'Show detailed information on space usage',
        },
      ],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const du = await ctx.client().json<DiskUsage>('GET', '/system/df');
    if (flagBool(flags, 'verbose')) {
      ctx.stdout.write(verboseDiskUsage(du as VerboseDiskUsage));
      return 0;
    }
    const source = flagString(flags, 'format') || 'table';
    const format =
      source === 'table'
        ? 'table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}'
        : source;
    ctx.stdout.write(renderList(format, diskUsageRows(du), HEADERS));
    return 0;
  },
};

/** The parts of `/system/df` the verbose view shows. */
interface VerboseDiskUsage extends DiskUsage {
  Images: Array<ImageSummary> | null;
  Containers: ContainerSummary[] | null;
  Volumes: Volume[] | null;
}

/** docker system df -v: tables of images, containers, volumes and build cache. */
export function verboseDiskUsage(du: VerboseDiskUsage, now = Date.now()): string {
  const images = (du.Images ?? []).map((i): Row => {
    const [repo = '<none>', tag = '<none>'] = (i.RepoTags?.[0] ?? '<none>:<none>').split(
      /:(?=[^:/]*$)/,
    );
    return {
      Repository: repo,
      Tag: tag,
      ID: i.Id.replace(/^sha256:/, '').slice(0, 12),
      CreatedSince: timeAgo(i.Created, now),
      Size: humanSize(i.Size, 3),
      SharedSize: i.SharedSize === -1 ? 'N/A' : humanSize(i.SharedSize, 3),
      UniqueSize: i.SharedSize === -1 ? 'N/A' : humanSize(i.Size - i.SharedSize, 4),
      Containers: String(i.Containers),
    };
  });
  const containers = (du.Containers ?? []).map((c): Row => ({
    ...containerRow(c, { trunc: true, now }),
    Size: humanSize(c.SizeRw ?? 0, 3),
  }));
  const volumes = (du.Volumes ?? []).map((v): Row => ({
    Name: v.Name,
    Links: String(v.UsageData?.RefCount ?? 0),
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size, 3) : 'N/A',
  }));
  const cacheSize = (du.BuildCache ?? []).reduce((sum, c) => sum + c.Size, 0);
  return [
    'Images space usage:\n\n',
    renderList(
      'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
      images,
      {
        Repository: 'REPOSITORY',
        Tag: 'TAG',
        ID: 'IMAGE ID',
        CreatedSince: 'CREATED',
        Size: 'SIZE',
        SharedSize: 'SHARED SIZE',
        UniqueSize: 'UNIQUE SIZE',
        Containers: 'CONTAINERS',
      },
    ),
    '\nContainers space usage:\n\n',
    renderList(
      'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}',
      containers,
      { ...CONTAINER_HEADERS, RunningFor: 'CREATED' },
    ),
    '\nLocal Volumes space usage:\n\n',
    renderList('table {{.Name}}\t{{.Links}}\t{{.Size}}', volumes, {
      Name: 'VOLUME NAME',
      Links: 'LINKS',
      Size: 'SIZE',
    }),
    `\nBuild cache usage: ${humanSize(cacheSize, 4)}\n\n`,
    renderList(
      'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}',
      [],
      {
        ID: 'CACHE ID',
        CacheType: 'CACHE TYPE',
        Size: 'SIZE',
        CreatedSince: 'CREATED',
        LastUsedSince: 'LAST USED',
        UsageCount: 'USAGE',
        Shared: 'SHARED',
      },
    ),
  ].join('');
}

/** One pruner's `Deleted …:` block, as docker system prune prints it. */
function deletedBlock(title: string, lines: readonly string[]): string {
  return lines.length > 0 ? `${title}:\n${lines.map((l) => `${l}\n`).join('')}\n` : '';
}

async function pruneAll(ctx: CliContext, filters: Filters, all: boolean, volumes: boolean) {
  const client = ctx.client();
  const query = (f: Filters) => ({ query: { filters: filtersQuery(f) } });
  let out = '';
  let total = 0;
  const containers = await client.json<{
    ContainersDeleted?: string[] | null;
    SpaceReclaimed?: number;
  }>('POST', '/containers/prune', query(filters));
  out += deletedBlock('Deleted Containers', containers.ContainersDeleted ?? []);
  total += containers.SpaceReclaimed ?? 0;
  const networks = await client.json<{ NetworksDeleted?: string[] | null }>(
    'POST',
    '/networks/prune',
    query(filters),
  );
  out += deletedBlock('Deleted Networks', networks.NetworksDeleted ?? []);
  if (volumes) {
    const labels: Filters = {};
    for (const key of ['label', 'label!'])
      for (const v of filters[key] ?? []) addFilter(labels, key, v);
    const pruned = await client.json<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>(
      'POST',
      '/volumes/prune',
      query(labels),
    );
    out += deletedBlock('Deleted Volumes', pruned.VolumesDeleted ?? []);
    total += pruned.SpaceReclaimed ?? 0;
  }
  const imageFilters: Filters = { ...filters, dangling: [String(!all)] };
  const images = await client.json<ImagePruneResponse>(
    'POST',
    '/images/prune',
    query(imageFilters),
  );
  out += deletedBlock(
    'Deleted Images',
    (images.ImagesDeleted ?? []).map((item) => {
      const { Deleted, Untagged } = item as { Deleted?: string; Untagged?: string };
      return Untagged ? `untagged: ${Untagged}` : `deleted: ${Deleted ?? ''}`;
    }),
  );
  total += images.SpaceReclaimed ?? 0;
  const cache = await client.json<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>(
    'POST',
    '/build/prune',
    { query: { all: all ? '1' : undefined, filters: filtersQuery(filters) } },
  );
  out += deletedBlock('Deleted build cache objects', cache.CachesDeleted ?? []);
  total += cache.SpaceReclaimed ?? 0;
  return `${out}Total reclaimed space: ${humanSize(total, 4)}\n`;
}

export const systemPruneCommand: Command = {
  name: 'system prune',
  summary: 'Remove unused data',
  usage: 'moor system prune [OPTIONS]',
  async run(ctx, argv) {
    const FLAGS: FlagSpec[] = [
      {
        name: 'all',
        short: 'a',
        type: 'bool',
        help: 'Remove all unused images not just dangling ones',
      },
      {
        name: 'filter',
        type: 'list',
        value: 'filter',
        help: 'Provide filter values (e.g. "label=<key>=<value>")',
      },
      { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
      { name: 'volumes', type: 'bool', help: 'Prune anonymous volumes' },
    ];
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const all = flagBool(flags, 'all');
    const volumes = flagBool(flags, 'volumes');
    const filters = parseFilters(flagList(flags, 'filter'), '--filter');
    const items = [
      'all stopped containers',
      'all networks not used by at least one container',
      ...(volumes ? ['all anonymous volumes not used by at least one container'] : []),
      all ? 'all images without at least one container associated to them' : 'all dangling images',
      all ? 'all build cache' : 'unused build cache',
    ];
    const warning = `WARNING! This will remove:\n${items.map((i) => `  - ${i}`).join('\n')}\n\nAre you sure you want to continue?`;
    if (!flagBool(flags, 'force') && !(await confirm(ctx, warning))) return 0;
    ctx.stdout.write(await pruneAll(ctx, filters, all, volumes));
    return 0;
  },
};

interface StoreLeftovers {
  Layers: string[];
  Mounts: string[];
  Cgroups: string[];
  RuntimeStates: string[];
}

/** The check's report: each kind of leftover, one per line; or that the store is clean. */
export function storeCheckReport(found: StoreLeftovers, fixed: boolean): string {
  const sections: Array<[string, string[]]> = [
    ['Unused layers', found.Layers],
    ['Stray mounts', found.Mounts],
    ['Cgroups of stopped containers', found.Cgroups],
    ['Runtime state of stopped containers', found.RuntimeStates],
  ];
  const listed = sections.filter(([, items]) => items.length > 0);
  if (listed.length === 0) return 'The store is clean.\n';
  const body = listed.map(
    ([title, items]) => `${title}:\n${items.map((i) => `  ${i}\n`).join('')}`,
  );
  return `${body.join('\n')}\n${fixed ? 'Removed.' : "Run 'moor system check --fix' to remove them."}\n`;
}

export const systemCheckCommand: Command = {
  name: 'system check',
  summary: 'Report (and with --fix remove) what a crash left in the store',
  usage: 'moor system check [OPTIONS]',
  async run(ctx, argv) {
    const flags = parseOrHelp(
      ctx,
      this,
      [{ name: 'fix', type: 'bool', help: 'Remove the leftovers found' }],
      argv,
    );
    if (!flags) return 0;
    checkArgs(this, flags.args, 0, 0);
    const fix = flagBool(flags, 'fix');
    const found = await ctx
      .client()
      .json<StoreLeftovers>(fix ? 'POST' : 'GET', '/moor/store/check');
    ctx.stdout.write(storeCheckReport(found, fix));
    return 0;
  },
};
