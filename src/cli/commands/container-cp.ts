import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

import { escapePath } from '../../client/index.js';
import { type FlagSpec, flagBool } from '../../core/index.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import {
  destinationCopyInfo,
  extractArchive,
  sourceCopyInfo,
  tarLocalPath,
  validateCpOutputPath,
} from '../cp-local.js';
import {
  type CopyInfo,
  type Rebase,
  decodePathStat,
  getRebaseName,
  invalidFileModeReason,
  prepareArchiveCopy,
  resolveLocalPath,
  splitCpArg,
  splitPathDirEntry,
  statIsDir,
  statIsSymlink,
} from '../cp-paths.js';
import { humanSize } from '../units.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'archive',
    short: 'a',
    type: 'bool',
    help: 'Archive mode (copy all uid/gid information)',
  },
  { name: 'follow-link', short: 'L', type: 'bool', help: 'Always follow symbol link in SRC_PATH' },
  {
    name: 'quiet',
    short: 'q',
    type: 'bool',
    help: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
  },
];

interface CopyOptions {
  container: string;
  src: string;
  dst: string;
  followLink: boolean;
  copyUidGid: boolean;
  quiet: boolean;
}

const ESC = '\x1b';

/**
 * docker's copyProgress: on a terminal, `Copying to container - 1.2MB` redrawn every 75ms.
 * Returns the function that stops it and clears the line.
 */
function showProgress(out: Writable, header: string, total: () => number): () => void {
  if (!isTerminal(out)) return () => undefined;
  out.write(`${ESC}7Preparing to copy...`);
  out.write(`${ESC}[?25l${ESC}8${ESC}[2K${header}${humanSize(0)}`);
  let last = 0;
  const timer = setInterval(() => {
    const n = total();
    if (n === last) return;
    last = n;
    out.write(`${ESC}[${header.length + 1}G${ESC}[0K${humanSize(n)}`);
  }, 75);
  return () => {
    clearInterval(timer);
    out.write(`${ESC}[?25h${ESC}8${ESC}[2K`);
  };
}

async function* counted(source: AsyncIterable<Buffer>, add: (n: number) => void) {
  for await (const chunk of source) {
    add(chunk.length);
    yield chunk;
  }
}

function archivePath(container: string): string {
  return `/containers/${escapePath(container)}/archive`;
}

async function statPath(ctx: CliContext, container: string, path: string) {
  const res = await ctx.client().stream('HEAD', archivePath(container), { query: { path } });
  res.resume();
  return decodePathStat(res.headers['x-docker-container-path-stat'] as string | undefined);
}

async function copyFromContainer(ctx: CliContext, o: CopyOptions): Promise<number> {
  const dstPath = o.dst === '-' ? '-' : resolveLocalPath(o.dst, process.cwd());
  await validateCpOutputPath(dstPath);
  let srcPath = o.src;
  let rebase = '';
  if (o.followLink) {
    const stat = await statPath(ctx, o.container, srcPath).catch(() => undefined);
    if (stat && statIsSymlink(stat)) {
      let target = stat.linkTarget;
      if (!target.startsWith('/')) target = `${splitPathDirEntry(srcPath)[0]}/${target}`;
      [srcPath, rebase] = getRebaseName(srcPath, target);
    }
  }
  const res = await ctx
    .client()
    .stream('GET', archivePath(o.container), { query: { path: srcPath } });
  const stat = decodePathStat(res.headers['x-docker-container-path-stat'] as string | undefined);
  if (dstPath === '-') {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (!ctx.stdout.write(chunk)) await once(ctx.stdout, 'drain');
    }
    return 0;
  }
  const src: CopyInfo = { path: srcPath, exists: true, isDir: statIsDir(stat), rebaseName: rebase };
  const rebases: Rebase[] = [];
  if (rebase !== '') rebases.push({ from: splitPathDirEntry(src.path)[1], to: rebase });
  let copied = 0;
  const stop = o.quiet
    ? () => undefined
    : showProgress(ctx.stderr, 'Copying from container - ', () => copied);
  try {
    const dst = await destinationCopyInfo(dstPath);
    const plan = prepareArchiveCopy(src, dst);
    if (plan.rebase) rebases.push(plan.rebase);
    await extractArchive(
      counted(res as AsyncIterable<Buffer>, (n) => (copied += n)),
      plan.dstDir,
      rebases,
    );
  } finally {
    stop();
  }
  if (!o.quiet) ctx.stderr.write(`Successfully copied ${humanSize(copied)} to ${dstPath}\n`);
  return 0;
}

async function copyToContainer(ctx: CliContext, o: CopyOptions): Promise<number> {
  const srcPath = o.src === '-' ? '-' : resolveLocalPath(o.src, process.cwd());
  const dst: CopyInfo = { path: o.dst, exists: false, isDir: false, rebaseName: '' };
  let stat = await statPath(ctx, o.container, o.dst).catch(() => undefined);
  if (stat && statIsSymlink(stat)) {
    let target = stat.linkTarget;
    if (!target.startsWith('/')) target = `${splitPathDirEntry(o.dst)[0]}/${target}`;
    dst.path = target;
    stat = await statPath(ctx, o.container, target).catch(() => undefined);
  }
  const reason = stat ? invalidFileModeReason(stat.mode) : undefined;
  if (reason !== undefined) {
    throw new Error(
      `destination "${o.container}:${o.dst}" must be a directory or a regular file: ${reason}`,
    );
  }
  if (stat) {
    dst.exists = true;
    dst.isDir = statIsDir(stat);
  }
  let content: Readable | AsyncIterable<Buffer>;
  let target: string;
  let copied = 0;
  if (srcPath === '-') {
    if (!dst.isDir) throw new Error(`destination "${o.container}:${o.dst}" must be a directory`);
    content = ctx.stdin;
    target = dst.path;
  } else {
    const src = await sourceCopyInfo(srcPath, o.followLink);
    const plan = prepareArchiveCopy(src, dst);
    target = plan.dstDir;
    const tar = tarLocalPath(src, plan.rebase ? [plan.rebase] : []);
    content = o.quiet ? tar : counted(tar, (n) => (copied += n));
  }
  const query = {
    path: target,
    noOverwriteDirNonDir: 'true',
    copyUIDGID: o.copyUidGid ? 'true' : undefined,
  };
  const stop = o.quiet
    ? () => undefined
    : showProgress(ctx.stderr, 'Copying to container - ', () => copied);
  try {
    const res = await ctx.client().stream('PUT', archivePath(o.container), {
      query,
      upload: content as AsyncIterable<Uint8Array>,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    res.resume();
    await once(res, 'end');
  } finally {
    stop();
  }
  if (!o.quiet) {
    ctx.stderr.write(`Successfully copied ${humanSize(copied)} to ${o.container}:${dst.path}\n`);
  }
  return 0;
}

export const cpCommand: Command = {
  name: 'cp',
  summary: 'Copy files/folders between a container and the local filesystem',
  usage:
    'moor cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tmoor cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  async run(ctx, argv) {
    const flags = parseOrHelp(ctx, this, FLAGS, argv);
    if (!flags) return 0;
    checkArgs(this, flags.args, 2, 2);
    const [source = '', destination = ''] = flags.args;
    if (source === '') throw new Error('source can not be empty');
    if (destination === '') throw new Error('destination can not be empty');
    const from = splitCpArg(source);
    const to = splitCpArg(destination);
    const options = {
      followLink: flagBool(flags, 'follow-link'),
      copyUidGid: flagBool(flags, 'archive'),
      // Without -q, progress shows only when stdout is a terminal.
      quiet: flags.given.has('quiet') ? flagBool(flags, 'quiet') : !isTerminal(ctx.stdout),
      src: from.path,
      dst: to.path,
    };
    if (from.container !== '' && to.container !== '') {
      throw new Error('copying between containers is not supported');
    }
    if (from.container !== '')
      return copyFromContainer(ctx, { ...options, container: from.container });
    if (to.container !== '') return copyToContainer(ctx, { ...options, container: to.container });
    throw new Error('must specify at least one container source');
  },
};
