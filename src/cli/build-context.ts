/**
 * A local build context as the docker CLI sends it (build.GetContextFromLocalDir,
 * ValidateContextDirectory, archive.TarWithOptions with ChownOpts 0:0): the directory resolved
 * through symlinks, the Dockerfile found relative to it, `.dockerignore` applied, and the rest
 * streamed as an uncompressed tar of relative names, owned by 0:0, in lexical walk order. The
 * Dockerfile and `.dockerignore` are always sent (the daemon drops them from what COPY sees).
 */
import { open, lstat, readFile, readdir, readlink, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

import { type TarHeaderInput, createTarWriter } from '../archive/index.js';
import { errorMessage, hasErrno, isMoorError } from '../core/index.js';
import { createIgnoreMatcher, parseDockerignore } from '../oci/index.js';
import { goPathError } from './local-files.js';

export const DEFAULT_DOCKERFILE = 'Dockerfile';

/** A user error in preparing the context; docker prints it as `unable to prepare context: …`. */
export class ContextError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`unable to prepare context: ${message}`, options);
    this.name = 'ContextError';
  }
}

/**
 * Go's filepath.EvalSymlinks: the path with every link resolved; a missing component is
 * reported as Go reports it (`lstat /ctx/Dockerfile: no such file or directory`).
 */
export async function evalSymlinks(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw goPathError(err);
    let dest = '/';
    for (const part of path.split('/').filter((p) => p !== '')) {
      const next = join(dest, part);
      try {
        await lstat(next);
        dest = await realpath(next);
      } catch (inner) {
        throw goPathError(inner);
      }
    }
    throw goPathError(err);
  }
}

export interface LocalContext {
  /** Absolute, symlinks resolved. */
  dir: string;
  /** The Dockerfile relative to `dir` (`../x` when outside it), `-` for stdin. */
  relDockerfile: string;
}

/**
 * The context directory and the Dockerfile's place in it. `-f` (unless `-`) is relative to
 * `cwd`, not to the context; without it `Dockerfile`, else `dockerfile`, in the context.
 */
export async function resolveLocalContext(
  given: string,
  dockerfile: string,
  cwd: string,
): Promise<LocalContext> {
  const abs = resolve(cwd, given);
  let dir: string;
  try {
    dir = await evalSymlinks(abs);
  } catch (err) {
    throw new ContextError(`unable to evaluate symlinks in context path: ${errorMessage(err)}`);
  }
  let info: Stats;
  try {
    info = await lstat(dir);
  } catch (err) {
    const text = errorMessage(goPathError(err));
    throw new ContextError(`unable to stat context directory "${dir}": ${text}`);
  }
  if (!info.isDirectory()) throw new ContextError(`context must be a directory: ${dir}`);
  if (dockerfile === '-') return { dir, relDockerfile: '-' };
  return { dir, relDockerfile: await dockerfileRelPath(dir, dockerfile, cwd) };
}

async function dockerfileRelPath(dir: string, given: string, cwd: string): Promise<string> {
  let path = given === '' ? join(dir, DEFAULT_DOCKERFILE) : resolve(cwd, given);
  if (given === '') {
    try {
      await lstat(path);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
      const lower = join(dir, DEFAULT_DOCKERFILE.toLowerCase());
      if (
        await lstat(lower).then(
          () => true,
          () => false,
        )
      ) {
        path = lower;
      }
    }
  }
  if (!isAbsolute(path)) path = join(dir, path);
  try {
    path = await evalSymlinks(path);
  } catch (err) {
    throw new ContextError(`unable to evaluate symlinks in Dockerfile path: ${errorMessage(err)}`);
  }
  try {
    await lstat(path);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) throw new ContextError(`Cannot locate Dockerfile: "${path}"`);
    throw new ContextError(`unable to stat Dockerfile: ${errorMessage(goPathError(err))}`);
  }
  return relative(dir, path);
}

/** Whether a Dockerfile path relative to the context lies outside it. */
export function isOutsideContext(relDockerfile: string): boolean {
  return relDockerfile === '..' || relDockerfile.startsWith(`..${sep}`);
}

/** The patterns of the context's `.dockerignore` (none when it does not exist). */
export async function readDockerignore(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dir, '.dockerignore'), 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return [];
    throw goPathError(err);
  }
  try {
    return parseDockerignore(text);
  } catch (err) {
    throw new Error(`error reading .dockerignore: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * docker's TrimBuildFilesFromExcludes: exceptions for `.dockerignore` and the Dockerfile when
 * the patterns exclude them, so both reach the daemon.
 */
export function keepBuildFiles(
  patterns: readonly string[],
  relDockerfile: string,
  dockerfileFromStdin: boolean,
): string[] {
  const out = [...patterns];
  // Patterns docker cannot match exclude nothing here; the walk reports them.
  const excluded = (path: string) => {
    try {
      return createIgnoreMatcher(patterns).matches(path);
    } catch (err) {
      if (isMoorError(err, 'InvalidArgument')) return false;
      throw err;
    }
  };
  if (excluded('.dockerignore')) out.push('!.dockerignore');
  const dockerfile = relDockerfile.split(sep).join('/');
  if (!dockerfileFromStdin && excluded(dockerfile)) out.push(`!${dockerfile}`);
  return out;
}

/** One file of the context, in the order it goes into the tar. */
export interface ContextEntry {
  /** Relative, `/`-separated. */
  name: string;
  path: string;
  stats: Stats;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The files `patterns` leave in `dir`, walked in lexical order. An excluded directory is
 * entered only when an exception pattern may re-include something below it (and is then not
 * sent itself). Unreadable files fail the build before anything is sent, as docker's
 * ValidateContextDirectory does (`can't stat '…'`, `no permission to read from '…'`).
 */
export async function listContext(dir: string, patterns: string[]): Promise<ContextEntry[]> {
  const matcher = createIgnoreMatcher(patterns);
  const entries: ContextEntry[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(abs)).sort(byteOrder);
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return;
      if (hasErrno(err, 'EACCES')) throw new Error(`can't stat '${abs}'`, { cause: err });
      throw goPathError(err);
    }
    for (const name of names) {
      const path = join(abs, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      let stats: Stats;
      try {
        stats = await lstat(path);
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) continue; // gone since the directory was read
        throw new Error(`can't stat '${path}'`, { cause: err });
      }
      if (matcher.matches(relPath)) {
        if (stats.isDirectory() && matcher.hasExceptions && matcher.mayMatchInside(relPath)) {
          await walk(path, relPath);
        }
        continue;
      }
      if (stats.isFile()) await checkReadable(path);
      entries.push({ name: relPath, path, stats });
      if (stats.isDirectory()) await walk(path, relPath);
    }
  };
  await walk(dir, '');
  return entries;
}

async function checkReadable(path: string): Promise<void> {
  try {
    await (await open(path, 'r')).close();
  } catch (err) {
    if (hasErrno(err, 'EACCES', 'EPERM')) {
      throw new Error(`no permission to read from '${path}'`, { cause: err });
    }
    if (!hasErrno(err, 'ENOENT')) throw goPathError(err);
  }
}

/** A Dockerfile sent beside the context under a name of its own (`-f -`, `-f` outside it). */
export interface ExtraDockerfile {
  /** `.dockerfile.<20 hex digits>`. */
  name: string;
  content: Buffer;
}

/** Linux's major/minor split of a device number. */
function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const big = BigInt(rdev);
  return {
    devmajor: Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn)),
    devminor: Number((big & 0xffn) | ((big >> 12n) & ~0xffn)),
  };
}

/** The tar header docker writes for a file (FileInfoHeader, owner 0:0, no owner names). */
export function entryHeader(entry: ContextEntry, linkname = ''): TarHeaderInput | undefined {
  const { stats } = entry;
  const base = {
    mode: stats.mode & 0o7777,
    uid: 0,
    gid: 0,
    mtime: new Date(Math.floor(stats.mtimeMs / 1000) * 1000),
  };
  if (stats.isFile()) return { ...base, name: entry.name, type: 'file', size: stats.size };
  if (stats.isDirectory()) return { ...base, name: `${entry.name}/`, type: 'directory' };
  if (stats.isSymbolicLink()) return { ...base, name: entry.name, type: 'symlink', linkname };
  if (stats.isFIFO()) return { ...base, name: entry.name, type: 'fifo' };
  if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const type = stats.isCharacterDevice() ? 'char' : 'block';
    return { ...base, name: entry.name, type, ...deviceNumbers(stats.rdev) };
  }
  return undefined; // sockets: Go's tar cannot hold them, docker leaves them out
}

/**
 * Streams `entries` as a tar. Files linked more than once become hard links to their first
 * name. With `extra`, its Dockerfile is appended and its name added to `.dockerignore` (a
 * `.dockerignore` is added when there is none), as docker's AddDockerfileToBuildContext does.
 * A file that disappears meanwhile is left out, as docker leaves it out.
 */
export function contextTar(entries: readonly ContextEntry[], extra?: ExtraDockerfile): Readable {
  const tar = createTarWriter();
  const write = async () => {
    const seen = new Map<number, string>();
    let sawIgnoreFile = false;
    for (const entry of entries) {
      const { stats } = entry;
      if (!stats.isDirectory() && stats.nlink > 1) {
        const first = seen.get(stats.ino);
        if (first !== undefined) {
          const header = entryHeader(entry);
          if (header) await tar.add({ ...header, type: 'hardlink', linkname: first, size: 0 });
          continue;
        }
        seen.set(stats.ino, entry.name);
      }
      if (extra && entry.name === '.dockerignore' && stats.isFile()) {
        sawIgnoreFile = true;
        const content = await readFile(entry.path).catch((err: unknown) => {
          throw goPathError(err);
        });
        const body = Buffer.concat([content, Buffer.from(`\n${extra.name}\n`)]);
        await tar.add({ ...entryHeader(entry)!, size: body.length }, body);
        continue;
      }
      await addEntry(tar, entry);
    }
    if (extra) await addExtraDockerfile(tar, extra, sawIgnoreFile);
    await tar.finish();
  };
  write().catch((err: unknown) => {
    tar.readable.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return tar.readable;
}

type TarWriter = ReturnType<typeof createTarWriter>;

async function addEntry(tar: TarWriter, entry: ContextEntry): Promise<void> {
  let linkname = '';
  if (entry.stats.isSymbolicLink()) {
    try {
      linkname = await readlink(entry.path);
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'EINVAL')) return;
      throw goPathError(err);
    }
  }
  const header = entryHeader(entry, linkname);
  if (!header) return;
  if (header.type !== 'file' || entry.stats.size === 0) {
    await tar.add(header);
    return;
  }
  let file;
  try {
    file = await open(entry.path, 'r');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return;
    throw goPathError(err);
  }
  try {
    const body = file.createReadStream({ autoClose: false, end: entry.stats.size - 1 });
    await tar.add(header, body);
  } finally {
    await file.close();
  }
}

/** The two entries docker's AddDockerfileToBuildContext adds: mode 0600, owner 0:0, now. */
async function addExtraDockerfile(tar: TarWriter, extra: ExtraDockerfile, hasIgnoreFile: boolean) {
  const now = new Date(Math.round(Date.now() / 1000) * 1000);
  const file = (name: string, body: Buffer): [TarHeaderInput, Buffer] => [
    { name, type: 'file', mode: 0o600, mtime: now },
    body,
  ];
  if (!hasIgnoreFile) {
    await tar.add(...file('.dockerignore', Buffer.from(`.dockerignore\n${extra.name}\n`)));
  }
  await tar.add(...file(extra.name, extra.content));
}
