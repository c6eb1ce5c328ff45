import { constants, lstatSync, readlinkSync, type Stats } from 'node:fs';
import { type FileHandle, open, readlink, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import type { FilesystemChange } from '../api-types/index.js';
import { createTarWriter, type TarHeaderInput, type TarWriter } from '../archive/index.js';
import { conflict, hasErrno, internal } from '../core/index.js';
import type { Digest } from '../oci/index.js';
import { deviceNumbers, exactBytes } from './rootfs-archive.js';

/*
 * A container's changes as a layer tar in Docker's layer format: added and modified paths as
 * they are now (mode, owner, whole-second mtime, file capabilities, links, devices), deleted
 * ones as `.wh.<name>` whiteouts, directories that hide everything below them followed by a
 * `.wh..wh..opq` entry. Entry names are relative (`etc/`, `etc/passwd`, `bin/.wh.ls`).
 */

const DELETED = 2;
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
const CAPABILITY_XATTR = 'security.capability';

/** The diff id of a tar without entries (two zero blocks): Docker records no layer for it. */
export const EMPTY_LAYER_DIFF_ID: Digest =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/** One entry of a layer tar, by container path. */
export type LayerEntry =
  /** Added or modified: written as the container has it now. */
  | { kind: 'path'; path: string }
  /** Deleted: `.wh.<name>` in its directory. */
  | { kind: 'whiteout'; path: string }
  /** After the directory's own entry: what the layers below have in it is hidden. */
  | { kind: 'opaque'; dir: string };

/**
 * The entries for a container's changes (sorted by path, as rootfs-changes lists them), in
 * that order: every directory comes before what is under it, an opaque marker right after its
 * directory. Deletions under an opaque directory are left out: its marker already hides them.
 */
export function planLayerEntries(
  changes: readonly FilesystemChange[],
  opaqueDirs: readonly string[] = [],
): LayerEntry[] {
  const opaque = new Set(opaqueDirs);
  const underOpaque = (path: string): boolean => {
    for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) {
      if (opaque.has(dir)) return true;
    }
    return false;
  };
  const plan: LayerEntry[] = [];
  for (const { Path: path, Kind: kind } of changes) {
    if (kind === DELETED) {
      if (!underOpaque(path)) plan.push({ kind: 'whiteout', path });
      continue;
    }
    plan.push({ kind: 'path', path });
    if (opaque.has(path)) plan.push({ kind: 'opaque', dir: path });
  }
  return plan;
}

/** The entry name of a deletion: `/bin/ls` → `bin/.wh.ls`. */
export function whiteoutName(path: string): string {
  return entryName(posix.join(posix.dirname(path), WHITEOUT_PREFIX + posix.basename(path)));
}

function entryName(path: string): string {
  return path.replace(/^\/+/, '');
}

/**
 * A file capability as a layer carries it: a version 3 value (namespaced, with the root id of
 * the user namespace it was set in) becomes version 2, whose 20 bytes are the same without
 * that id, as Docker writes it: the id means nothing outside the namespace.
 */
export function layerCapability(value: Buffer): Buffer {
  const VERSION_BYTE = 3;
  const V2_SIZE = 20;
  if (value.length < V2_SIZE || value[VERSION_BYTE] !== 3) return value;
  const v2 = Buffer.from(value.subarray(0, V2_SIZE));
  v2[VERSION_BYTE] = 2;
  return v2;
}

export interface LayerTarOptions {
  /** Where the container's files are: overlay's upper dir, or vfs's full tree. */
  root: string;
  entries: readonly LayerEntry[];
  /** Raw `security.capability` values by container path. */
  capabilities?: ReadonlyMap<string, Buffer>;
  /** The mtime of whiteouts (whole seconds are kept). */
  now: Date;
  signal?: AbortSignal | undefined;
}

/**
 * The layer tar of `entries`, produced as it is read. A path gone by the time it is read is
 * left out (a container committed without a pause keeps running). Every file is opened
 * without following links and must still be inside `root` once open, so a process swapping a
 * directory of its own for a link cannot get a host file into the layer (Conflict otherwise).
 * Stopping the iteration or `signal` stops the work.
 */
export async function* layerTar(options: LayerTarOptions): AsyncGenerator<Buffer> {
  options.signal?.throwIfAborted();
  const writer = createTarWriter();
  const stop = () => writer.readable.destroy(abortReason(options.signal));
  options.signal?.addEventListener('abort', stop, { once: true });
  const producing = writeEntries(writer, options).catch((err: unknown) => {
    writer.readable.destroy(err instanceof Error ? err : internal(String(err)));
  });
  try {
    for await (const chunk of writer.readable) yield chunk as Buffer;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    writer.readable.destroy();
    await producing;
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : internal('the operation was aborted');
}

interface LayerWalk {
  writer: TarWriter;
  root: string;
  /** `root` with its links resolved: where opened files must be. */
  realRoot: string;
  capabilities: ReadonlyMap<string, Buffer>;
  now: Date;
  /** dev:ino of files with several links → the entry name written first. */
  links: Map<string, string>;
  lastYield: number;
}

async function writeEntries(writer: TarWriter, options: LayerTarOptions): Promise<void> {
  const walk: LayerWalk = {
    writer,
    root: posix.resolve(options.root),
    realRoot: await realpath(options.root),
    capabilities: options.capabilities ?? new Map(),
    now: new Date(Math.floor(options.now.getTime() / 1000) * 1000),
    links: new Map(),
    lastYield: Date.now(),
  };
  for (const entry of options.entries) {
    if (Date.now() - walk.lastYield > 20) {
      await yieldToLoop();
      walk.lastYield = Date.now();
    }
    options.signal?.throwIfAborted();
    if (entry.kind === 'whiteout') await addWhiteout(walk, entry.path);
    else if (entry.kind === 'opaque') await addOpaque(walk, entry.dir);
    else await addPath(walk, entry.path);
  }
  await writer.finish();
}

function addWhiteout(walk: LayerWalk, path: string): Promise<void> {
  return walk.writer.add({ name: whiteoutName(path), type: 'file', mode: 0, mtime: walk.now });
}

/** The marker takes the directory's permissions, owner and time, as Docker writes it. */
async function addOpaque(walk: LayerWalk, dir: string): Promise<void> {
  const info = lstatSync(posix.join(walk.root, dir), { throwIfNoEntry: false });
  if (!info?.isDirectory()) return;
  await walk.writer.add({
    ...attributes(info, posix.join(entryName(dir), OPAQUE_WHITEOUT)),
    mode: info.mode & 0o777,
    type: 'file',
  });
}

function attributes(info: Stats, name: string) {
  return {
    name,
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
    mtime: new Date(Math.floor(info.mtimeMs / 1000) * 1000),
  };
}

async function addPath(walk: LayerWalk, path: string): Promise<void> {
  const hostPath = posix.join(walk.root, path);
  const info = lstatSync(hostPath, { throwIfNoEntry: false });
  if (info === undefined) return;
  const name = entryName(path);
  const base = attributes(info, name);
  if (info.isFile()) {
    await addFile(walk, path, hostPath, info);
    return;
  }
  let header: TarHeaderInput | undefined;
  if (info.isDirectory()) header = { ...base, name: `${name}/`, type: 'directory' };
  else if (info.isSymbolicLink()) {
    header = { ...base, type: 'symlink', linkname: readlinkSync(hostPath) };
  } else if (info.isCharacterDevice()) {
    header = { ...base, type: 'char', ...deviceNumbers(info.rdev) };
  } else if (info.isBlockDevice()) {
    header = { ...base, type: 'block', ...deviceNumbers(info.rdev) };
  } else if (info.isFIFO()) header = { ...base, type: 'fifo' };
  // Sockets have no place in a tar: Docker leaves them out too.
  if (header) await walk.writer.add(header);
}

async function addFile(walk: LayerWalk, path: string, hostPath: string, info: Stats) {
  const name = entryName(path);
  const key = info.nlink > 1 ? `${info.dev}:${info.ino}` : undefined;
  const first = key === undefined ? undefined : walk.links.get(key);
  if (first !== undefined) {
    await walk.writer.add({ ...attributes(info, name), type: 'hardlink', linkname: first });
    return;
  }
  const handle = await openInside(walk, path, hostPath);
  if (handle === undefined) return;
  // Later names of the file link to this entry (only once it is in the tar).
  if (key !== undefined) walk.links.set(key, name);
  try {
    const opened = await handle.stat();
    const capability = walk.capabilities.get(path);
    await walk.writer.add(
      {
        ...attributes(opened, name),
        type: 'file',
        size: opened.size,
        ...(capability ? { xattrs: { [CAPABILITY_XATTR]: layerCapability(capability) } } : {}),
      },
      exactBytes(handle, opened.size),
    );
  } finally {
    await handle.close();
  }
}

/**
 * Opens a regular file of the layer for reading: undefined when it is gone (or no longer a
 * file); Conflict when what was opened is not inside the layer.
 */
async function openInside(
  walk: LayerWalk,
  path: string,
  hostPath: string,
): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined;
    throw err;
  }
  try {
    const opened = await readlink(`/proc/self/fd/${handle.fd}`);
    if (!opened.startsWith(`${walk.realRoot}/`)) {
      throw conflict(`${path} changed while the container was committed`);
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return undefined;
    }
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}
