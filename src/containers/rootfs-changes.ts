import { type BigIntStats, readdirSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import type { FilesystemChange } from '../api-types/index.js';
import { OPAQUE_XATTR } from '../layers/index.js';
import { scanXattrs } from '../sys/index.js';
import {
  createLowerView,
  isWhiteout,
  type LowerView,
  lstatIfExists,
} from './overlay-lower-view.js';

/**
 * `docker diff`: how a container's tree differs from its image's, as Docker lists it — kind 0
 * modified, 1 added, 2 deleted; every ancestor of a change is listed as modified (the root
 * never is); an added directory lists everything under it, a deleted one only itself; sorted
 * by path. Paths in `ignore` (files the engine itself placed, such as the mount points of
 * /etc/hosts) are left out with everything under them.
 */

const MODIFIED = 0;
const ADDED = 1;
const DELETED = 2;
type Kind = FilesystemChange['Kind'];

export interface OverlayChangesOptions {
  /** The container's writable layer in overlay form. */
  upperDir: string;
  /** The image's layer dirs in overlay form, top first (overlay's lowerdir order). */
  lowerDirs: readonly string[];
  ignore?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Changes of an overlay container: what its upper dir holds, each path compared with the
 * lower layers. A whiteout is a deletion (if something was there); an opaque directory also
 * deletes what the layers below had in it; a directory that only exists because overlayfs
 * copied it up (same mode, owner, size and mtime) is listed only as an ancestor of a change.
 */
export async function overlayChanges(options: OverlayChangesOptions): Promise<FilesystemChange[]> {
  return (await overlayChangeSet(options)).changes;
}

export interface OverlayChangeSet {
  changes: FilesystemChange[];
  /**
   * Opaque upper directories outside the ignored paths (container paths, sorted): a layer of
   * the changes writes each as an opaque whiteout, which stands for the deletions under it.
   */
  opaqueDirs: string[];
}

/** overlayChanges, and the directories the upper dir marks opaque. */
export async function overlayChangeSet(options: OverlayChangesOptions): Promise<OverlayChangeSet> {
  const upper = posix.resolve(options.upperDir);
  const attrs = await scanXattrs([upper], {
    recursive: true,
    match: `^${OPAQUE_XATTR.replaceAll('.', '\\.')}$`,
    signal: options.signal,
  });
  const opaque = new Set<string>();
  for (const [path, values] of attrs) {
    if (values.get(OPAQUE_XATTR)?.toString() === 'y') opaque.add(path);
  }
  const walk: OverlayWalk = {
    ...newChangeSet(options.ignore, options.signal),
    upper,
    opaque,
    lower: createLowerView(options.lowerDirs, options.signal),
    opaqueDirs: [],
  };
  await walkUpper(walk, '/', false);
  return { changes: sortedChanges(walk), opaqueDirs: walk.opaqueDirs.sort() };
}

export interface TreeChangesOptions {
  /** The container's full tree (vfs). */
  tree: string;
  /** The image's full tree. */
  base: string;
  ignore?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Changes between two full trees (vfs): a path is modified when its type, mode, owner or
 * device number changed or, for non-directories, its size, mtime or symlink target (Docker
 * leaves out directory sizes and mtimes: adding a file changes them).
 */
export async function treeChanges(options: TreeChangesOptions): Promise<FilesystemChange[]> {
  const walk: TreeWalk = {
    ...newChangeSet(options.ignore, options.signal),
    tree: posix.resolve(options.tree),
    base: posix.resolve(options.base),
  };
  await walkTrees(walk, '/', true);
  return sortedChanges(walk);
}

interface ChangeSet {
  changes: Map<string, Kind>;
  ignore: ReadonlySet<string>;
  signal?: AbortSignal | undefined;
  lastYield: number;
}

interface OverlayWalk extends ChangeSet {
  upper: string;
  /** Host paths of opaque directories in the upper dir. */
  opaque: ReadonlySet<string>;
  lower: LowerView;
  /** Container paths of the opaque directories the walk met. */
  opaqueDirs: string[];
}

interface TreeWalk extends ChangeSet {
  tree: string;
  base: string;
}

function newChangeSet(ignore: readonly string[] = [], signal?: AbortSignal): ChangeSet {
  return {
    changes: new Map(),
    ignore: new Set(ignore.map((p) => posix.normalize(`/${p}`).replace(/(.)\/+$/, '$1'))),
    signal,
    lastYield: Date.now(),
  };
}

/** Records a change and marks its ancestors modified (unless they are already listed). */
function record(set: ChangeSet, path: string, kind: Kind): void {
  set.changes.set(path, kind);
  for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) {
    if (set.changes.has(dir)) break;
    set.changes.set(dir, MODIFIED);
  }
}

function sortedChanges(set: ChangeSet): FilesystemChange[] {
  return [...set.changes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([Path, Kind]) => ({ Path, Kind }));
}

/** Lets other work run now and then, and stops when aborted. */
async function pace(set: ChangeSet): Promise<void> {
  set.signal?.throwIfAborted();
  if (Date.now() - set.lastYield < 20) return;
  await yieldToLoop();
  set.lastYield = Date.now();
}

function sortedNames(dir: string): string[] {
  return readdirSync(dir).sort();
}

async function walkUpper(walk: OverlayWalk, dir: string, hidden: boolean): Promise<void> {
  const hostDir = posix.join(walk.upper, dir);
  for (const name of sortedNames(hostDir)) {
    await pace(walk);
    const path = posix.join(dir, name);
    const info = lstatIfExists(posix.join(hostDir, name));
    if (walk.ignore.has(path) || info === undefined) continue;
    const below = await walk.lower.lookup(path);
    if (isWhiteout(info)) {
      if (below !== undefined) record(walk, path, DELETED);
      continue;
    }
    if (!info.isDirectory()) {
      record(walk, path, below === undefined ? ADDED : MODIFIED);
      continue;
    }
    // Under an opaque directory, every directory hides what the layers below have in it.
    const marked = walk.opaque.has(posix.join(hostDir, name));
    if (marked) walk.opaqueDirs.push(path);
    const opaque = hidden || marked;
    if (below === undefined) record(walk, path, ADDED);
    else if (!below.isDirectory() || opaque || dirDiffers(info, below, onlyIgnored(walk, path))) {
      record(walk, path, MODIFIED);
    }
    if (opaque && below?.isDirectory()) await recordHidden(walk, path);
    await walkUpper(walk, path, opaque);
  }
}

/** Deletions an opaque upper directory makes: what the layers below have and it has not. */
async function recordHidden(walk: OverlayWalk, dir: string): Promise<void> {
  for (const name of await walk.lower.list(dir)) {
    const path = posix.join(dir, name);
    if (walk.ignore.has(path)) continue;
    const info = lstatIfExists(posix.join(walk.upper, path));
    if (info === undefined || isWhiteout(info)) record(walk, path, DELETED);
  }
}

/**
 * Docker's test for an upper directory that may only have been copied up. When the directory
 * holds nothing but ignored entries (the runtime created mount points in it), its size and
 * mtime changed because of them: only its mode and owner count then.
 */
function dirDiffers(a: BigIntStats, b: BigIntStats, onlyIgnored: boolean): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return true;
  return !onlyIgnored && (a.size !== b.size || !sameFsTime(a.mtimeNs, b.mtimeNs));
}

/** Whether upper directory `dir` has entries, all of them ignored paths. */
function onlyIgnored(walk: OverlayWalk, dir: string): boolean {
  if (walk.ignore.size === 0) return false;
  const names = sortedNames(posix.join(walk.upper, dir));
  return names.length > 0 && names.every((name) => walk.ignore.has(posix.join(dir, name)));
}

/**
 * Walks `dir` in both trees (`inBase`: it is a directory in the base too); every name under a
 * directory that only the container has is an addition.
 */
async function walkTrees(walk: TreeWalk, dir: string, inBase: boolean): Promise<void> {
  const names = new Set(sortedNames(posix.join(walk.tree, dir)));
  if (inBase) for (const name of sortedNames(posix.join(walk.base, dir))) names.add(name);
  for (const name of [...names].sort()) {
    await pace(walk);
    const path = posix.join(dir, name);
    if (walk.ignore.has(path)) continue;
    const now = lstatIfExists(posix.join(walk.tree, path));
    const before = inBase ? lstatIfExists(posix.join(walk.base, path)) : undefined;
    if (now === undefined) {
      if (before !== undefined) record(walk, path, DELETED);
      continue;
    }
    if (before === undefined) record(walk, path, ADDED);
    else if (statDiffers(walk, path, now, before)) record(walk, path, MODIFIED);
    if (now.isDirectory()) await walkTrees(walk, path, before?.isDirectory() === true);
  }
}

/** Docker's statDifferent, plus symlink targets. */
function statDiffers(walk: TreeWalk, path: string, a: BigIntStats, b: BigIntStats): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  if (a.isDirectory()) return false;
  if (a.size !== b.size || !sameFsTime(a.mtimeNs, b.mtimeNs)) return true;
  return (
    a.isSymbolicLink() &&
    readlinkSync(posix.join(walk.tree, path)) !== readlinkSync(posix.join(walk.base, path))
  );
}

/**
 * Equal times, or the same second with one of them whole: tar keeps whole seconds, so a file
 * unpacked from a layer and its original differ below the second.
 */
function sameFsTime(a: bigint, b: bigint): boolean {
  const second = 1_000_000_000n;
  return a === b || (a / second === b / second && (a % second === 0n || b % second === 0n));
}
