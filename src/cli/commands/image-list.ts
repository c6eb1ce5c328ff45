import type { ImageSummary } from '../../api-types/index.js';
import { type FlagSpec, flagBool, flagList, flagString, isMoorError } from '../../core/index.js';
import { type Reference, familiarName, parseReference } from '../../oci/index.js';
import { FORMAT_HELP, checkArgs, parseOrHelp } from '../command-flags.js';
import type { CliContext, Command } from '../context.js';
import { addFilter, filtersQuery, parseFilters } from '../filter-flag.js';
import { goTimeString, timeAgo } from '../human-time.js';
import { QUIET_FORMAT, type Row, renderList, truncateId } from '../table.js';
import { humanSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'all',
    short: 'a',
    type: 'bool',
    help: 'Show all images (default hides intermediate images)',
  },
  { name: 'digests', type: 'bool', help: 'Show digests' },
  {
    name: 'filter',
    short: 'f',
    type: 'list',
    value: 'filter',
    help: 'Filter output based on conditions provided',
  },
  { name: 'format', type: 'string', help: FORMAT_HELP },
  { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
  { name: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
];

const DEFAULT_TABLE =
  'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\\t{{.Size}}';
const DEFAULT_TABLE_WITH_DIGEST =
  'table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\\t{{.Size}}';

/** docker's column names for image fields (newImageContext). */
export const IMAGE_HEADERS: Row = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

/** docker's NewImageFormat: the `table` and `raw` keywords, `-q`, and `--digests`. */
export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === 'table') {
    if (quiet) return QUIET_FORMAT;
    return digest ? DEFAULT_TABLE_WITH_DIGEST : DEFAULT_TABLE;
  }
  if (source === 'raw') {
    if (quiet) return 'image_id: {{.ID}}';
    const digestLine = digest ? 'digest: {{.Digest}}\n' : '';
    return `repository: {{ .Repository }}\ntag: {{.Tag}}\n${digestLine}image_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n`;
  }
  if (source.startsWith('table') && digest && !source.includes('{{.Digest}}')) {
    return `${source}\\t{{.Digest}}`;
  }
  return source;
}

export interface ImageRowOptions {
  /** Short ids (not --no-trunc). */
  trunc: boolean;
  /** A row per digest (--digests, or a format that shows {{.Digest}}). */
  digest: boolean;
  /** `--digests` itself: digest-only references get a row per digest. */
  showDigests: boolean;
  now?: number;
}

function isDangling(image: ImageSummary): boolean {
  const tags = image.RepoTags ?? [];
  const digests = image.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return (
    tags.length === 1 &&
    tags[0] === '<none>:<none>' &&
    digests.length === 1 &&
    digests[0] === '<none>@<none>'
  );
}

function tryParse(text: string): Reference | undefined {
  try {
    return parseReference(text);
  } catch (err) {
    // docker skips references it cannot parse.
    if (isMoorError(err, 'InvalidArgument')) return undefined;
    throw err;
  }
}

/** Familiar repository name → values (tags or digests), in the order the daemon gave them. */
function groupByRepository(refs: readonly string[], pick: (ref: Reference) => string | undefined) {
  const groups = new Map<string, string[]>();
  for (const text of refs) {
    const ref = tryParse(text);
    const value = ref && pick(ref);
    if (ref === undefined || value === undefined) continue;
    const name = familiarName(ref);
    groups.set(name, [...(groups.get(name) ?? []), value]);
  }
  return groups;
}

function imageRow(
  image: ImageSummary,
  names: { repo: string; tag: string; digest: string },
  options: ImageRowOptions,
): Row {
  const shared = image.SharedSize;
  return {
    ID: options.trunc ? truncateId(image.Id) : image.Id,
    Repository: names.repo,
    Tag: names.tag,
    Digest: names.digest,
    CreatedSince: timeAgo(image.Created, options.now),
    CreatedAt: goTimeString(image.Created),
    Size: humanSize(image.Size),
    Containers: image.Containers === -1 ? 'N/A' : String(image.Containers),
    VirtualSize: humanSize(image.Size, 4),
    SharedSize: shared === -1 ? 'N/A' : humanSize(shared, 4),
    UniqueSize: image.Size === -1 || shared === -1 ? 'N/A' : humanSize(image.Size - shared, 4),
  };
}

/** docker's imageFormat: a row per repository tag (and per digest when digests show). */
export function imageRows(images: readonly ImageSummary[], options: ImageRowOptions): Row[] {
  const rows: Row[] = [];
  for (const image of images) {
    if (isDangling(image)) {
      rows.push(imageRow(image, { repo: '<none>', tag: '<none>', digest: '<none>' }, options));
      continue;
    }
    const tags = groupByRepository(image.RepoTags ?? [], (ref) => ref.tag);
    const digests = groupByRepository(image.RepoDigests ?? [], (ref) => ref.digest);
    for (const [repo, repoTags] of tags) {
      const repoDigests = options.digest ? (digests.get(repo) ?? []) : [];
      digests.delete(repo);
      for (const tag of repoTags) {
        if (repoDigests.length === 0)
          rows.push(imageRow(image, { repo, tag, digest: '<none>' }, options));
        for (const digest of repoDigests)
          rows.push(imageRow(image, { repo, tag, digest }, options));
      }
    }
    for (const [repo, repoDigests] of digests) {
      if (!options.showDigests) {
        rows.push(imageRow(image, { repo, tag: '<none>', digest: '' }, options));
        continue;
      }
      for (const digest of repoDigests)
        rows.push(imageRow(image, { repo, tag: '<none>', digest }, options));
    }
  }
  return rows;
}

/** docker's hint when `docker images ls` (a subcommand name as filter) finds nothing. */
const SUBCOMMAND_NAMES = new Set([
  'build',
  'history',
  'import',
  'inspect',
  'list',
  'load',
  'ls',
  'prune',
  'pull',
  'push',
  'rm',
  'save',
  'tag',
]);

async function runImages(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 0, 1);
  const match = flags.args[0];
  const filters = parseFilters(flagList(flags, 'filter'));
  if (match !== undefined && match !== '') addFilter(filters, 'reference', match);
  const images = await ctx.client().json<ImageSummary[]>('GET', '/images/json', {
    query: { all: flagBool(flags, 'all') ? '1' : undefined, filters: filtersQuery(filters) },
  });
  const quiet = flagBool(flags, 'quiet');
  const showDigests = flagBool(flags, 'digests');
  const format = imageFormat(flagString(flags, 'format') || 'table', quiet, showDigests);
  const rows = imageRows(images, {
    trunc: !flagBool(flags, 'no-trunc'),
    digest: showDigests || format.includes('{{.Digest}}'),
    showDigests,
  });
  ctx.stdout.write(renderList(format, rows, IMAGE_HEADERS));
  if (
    match !== undefined &&
    images.length === 0 &&
    command.name === 'images' &&
    SUBCOMMAND_NAMES.has(match)
  ) {
    ctx.stderr.write(
      `\nNo images found matching "${match}": did you mean "moor image ${match}"?\n`,
    );
  }
  return 0;
}

export const imagesCommand: Command = {
  name: 'images',
  summary: 'List images',
  usage: 'moor images [OPTIONS] [REPOSITORY[:TAG]]',
  run(ctx, argv) {
    return runImages(ctx, this, argv);
  },
};
