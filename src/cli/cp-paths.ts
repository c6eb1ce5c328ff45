/**
 * docker cp's path rules (moby's go-archive copy.go), pure: which side is a container
 * (`CONTAINER:PATH`), what a trailing `/` or `/.` asserts, and how the archive's entry names are
 * rebased so the copy lands where `cp` would put it — `src/.` copies the content of src, a
 * missing destination takes the source's place under its own name.
 */
import { posix } from 'node:path';

import type { PathStat } from '../api-types/index.js';

/** Go's filepath.Clean. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** Go's filepath.Base: the last element, trailing slashes ignored; `.` for '', `/` for '/'. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's filepath.Dir: everything before the last separator, cleaned. */
export function goDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return goClean(slash === -1 ? '' : path.slice(0, slash + 1));
}

export function hasTrailingSeparator(path: string): boolean {
  return path.endsWith('/');
}

export function specifiesCurrentDir(path: string): boolean {
  return goBase(path) === '.';
}

/** A path that says it must be a directory: `dir/` or `dir/.`. */
export function assertsDirectory(path: string): boolean {
  return hasTrailingSeparator(path) || specifiesCurrentDir(path);
}

/** Keeps the `/.` or `/` the user wrote after a path was cleaned or made absolute. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(out)) out += '/';
    out += '.';
  }
  if (!hasTrailingSeparator(out) && hasTrailingSeparator(original)) out += '/';
  return out;
}

/** [directory, entry]: `/a/b` → ['/a', 'b'], `/a/b/.` → ['/a/b', '.']. */
export function splitPathDirEntry(path: string): [string, string] {
  let cleaned = goClean(path);
  if (specifiesCurrentDir(path)) cleaned += '/.';
  return [goDir(cleaned), goBase(cleaned)];
}

/** An absolute local path (filepath.Abs), keeping the user's trailing `/` or `/.`. */
export function resolveLocalPath(path: string, cwd: string): string {
  return preserveTrailingDotOrSeparator(goClean(posix.resolve(cwd, path)), path);
}

/**
 * docker's splitCpArg: `CONTAINER:PATH` or a local path. An absolute path, a path without `:`,
 * or one starting with `.` (`./file:name`) is local.
 */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const colon = arg.indexOf(':');
  if (colon === -1 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/**
 * GetRebaseName: after following a link, the resolved path keeps the user's trailing `/.` or
 * `/`, and when the last element differs the archive must use the user's name.
 */
export function getRebaseName(path: string, resolved: string): [string, string] {
  let out = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(out)) out += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(out)) out += '/';
  return [out, goBase(path) !== goBase(out) ? goBase(path) : ''];
}

/** What is known of one side of a copy (go-archive's CopyInfo). */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the archive's top entry must have, when it differs from the path's. */
  rebaseName: string;
}

/** A rename of archive entries: the first occurrence of `from` in each name becomes `to`. */
export interface Rebase {
  from: string;
  to: string;
}

/**
 * PrepareArchiveCopy: the directory to extract in and how to rename the archive's entries so
 * `cp SRC DST` lands as cp would. Throws `cannot copy directory` (a directory onto an existing
 * file) and `no such directory` (a missing `DST/`).
 */
export function prepareArchiveCopy(
  src: CopyInfo,
  dst: CopyInfo,
): { dstDir: string; rebase?: Rebase } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let srcBase = splitPathDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new Error('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) {
    throw new Error('no such directory');
  }
  if (src.rebaseName !== '') srcBase = src.rebaseName;
  return { dstDir, rebase: { from: srcBase, to: dstBase } };
}

/** Go's strings.Replace(name, from, to, 1), with `/` as from meaning '' (RebaseArchiveEntries). */
export function rebaseName(name: string, rebase: Rebase): string {
  const from = rebase.from === '/' ? '' : rebase.from;
  const at = name.indexOf(from);
  return at === -1 ? name : name.slice(0, at) + rebase.to + name.slice(at + from.length);
}

/** Go os.FileMode type bits, as the PathStat header carries them. */
export const GO_MODE_DIR = 2 ** 31;
export const GO_MODE_SYMLINK = 2 ** 27;
export const GO_MODE_DEVICE = 2 ** 26;
export const GO_MODE_IRREGULAR = 2 ** 19;

function hasBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

export function statIsDir(stat: PathStat): boolean {
  return hasBit(stat.mode, GO_MODE_DIR);
}

export function statIsSymlink(stat: PathStat): boolean {
  return hasBit(stat.mode, GO_MODE_SYMLINK);
}

/** ValidateOutputPathFileMode: a copy may not land on a device or an irregular file. */
export function invalidFileModeReason(mode: number): string | undefined {
  if (hasBit(mode, GO_MODE_DEVICE)) return 'got a device';
  if (hasBit(mode, GO_MODE_IRREGULAR)) return 'got an irregular file';
  return undefined;
}

/** The `X-Docker-Container-Path-Stat` header: base64 of the stat JSON. */
export function decodePathStat(header: string | undefined): PathStat {
  try {
    return JSON.parse(Buffer.from(header ?? '', 'base64').toString('utf8')) as PathStat;
  } catch (err) {
    throw new Error(`unable to decode container path stat header: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
