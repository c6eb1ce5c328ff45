/**
 * The local side of docker cp (go-archive's TarResource, CopyInfoSourcePath,
 * CopyInfoDestinationPath and Untar): the user's files packed as a tar the way the daemon
 * expects them, and an archive from a container unpacked into the user's directory — without
 * chown (docker's NoLchown), refusing to replace a directory with a file or the reverse, and
 * refusing entries, hard links and symlinks that would point outside the destination.
 */
import { createReadStream } from 'node:fs';
import {
  chmod,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  utimes,
} from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';

import {
  type TarEntryType,
  type TarHeaderInput,
  createTarWriter,
  readTar,
} from '../archive/index.js';
import { hasErrno } from '../core/index.js';
import {
  type CopyInfo,
  type Rebase,
  getRebaseName,
  goBase,
  goClean,
  goDir,
  hasTrailingSeparator,
  invalidFileModeReason,
  rebaseName,
  splitPathDirEntry,
} from './cp-paths.js';
import { goPathError } from './local-files.js';

/** CopyInfoSourcePath: the source after resolving links in its directory (all with -L). */
export async function sourceCopyInfo(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebase = '';
  try {
    if (followLink) {
      [resolved, rebase] = getRebaseName(path, await realpath(path));
    } else {
      const slash = path.lastIndexOf('/');
      const dir = path.slice(0, slash + 1);
      const base = path.slice(slash + 1);
      resolved = `${await realpath(dir === '' ? '.' : dir)}/${base}`.replace(/^\/\//, '/');
      if (hasTrailingSeparator(path) && goBase(path) !== goBase(resolved)) rebase = goBase(path);
    }
    const info = await lstat(resolved);
    return { path: resolved, exists: true, isDir: info.isDirectory(), rebaseName: rebase };
  } catch (err) {
    throw goPathError(err);
  }
}

/** CopyInfoDestinationPath: follows symlinks at the destination; a missing one needs a parent. */
export async function destinationCopyInfo(target: string): Promise<CopyInfo> {
  let path = target;
  for (let n = 0; ; n++) {
    let info;
    try {
      info = await lstat(path);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw goPathError(err);
      const [parent] = splitPathDirEntry(path);
      let parentInfo;
      try {
        parentInfo = await stat(parent);
      } catch (statErr) {
        throw goPathError(statErr);
      }
      if (!parentInfo.isDirectory()) throw new Error('not a directory');
      return { path, exists: false, isDir: false, rebaseName: '' };
    }
    if (!info.isSymbolicLink())
      return { path, exists: true, isDir: info.isDirectory(), rebaseName: '' };
    if (n > 10) throw new Error(`too many symlinks in ${target}`);
    const linkTarget = await readlink(path);
    path = linkTarget.startsWith('/')
      ? linkTarget
      : posix.join(splitPathDirEntry(path)[0], linkTarget);
  }
}

function tarType(info: Awaited<ReturnType<typeof lstat>>): TarEntryType | undefined {
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'directory';
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isCharacterDevice()) return 'char';
  if (info.isBlockDevice()) return 'block';
  if (info.isFIFO()) return 'fifo';
  return undefined; // sockets are left out, as docker does
}

async function* walk(root: string): AsyncGenerator<string> {
  yield root;
  const info = await lstat(root);
  if (!info.isDirectory()) return;
  const names = (await readdir(root)).sort();
  for (const name of names) yield* walk(`${root}/${name}`);
}

/**
 * TarResource: `src` packed as docker does (entries named from its base — `.` entries for
 * `dir/.` — directories with a trailing `/`, hard links as links, mtimes in whole seconds),
 * with the archive's names renamed by `rebases` in order. Resolves to the tar stream.
 */
export function tarLocalPath(src: CopyInfo, rebases: readonly Rebase[]): Readable {
  const [sourceDir, sourceBase] = splitPathDirEntry(src.path);
  const writer = createTarWriter();
  const links = new Map<string, string>();
  const pack = async () => {
    const root = goClean(`${sourceDir}/${sourceBase}`);
    for await (const file of walk(root)) {
      const info = await lstat(file);
      const type = tarType(info);
      if (type === undefined) continue;
      let name = posix.relative(sourceDir, file) || '.';
      if (sourceBase === '.' && name !== '.') name = `./${name}`;
      if (src.rebaseName !== '') name = src.rebaseName + name.slice(sourceBase.length);
      for (const rebase of rebases) name = rebaseName(name, rebase);
      const header: TarHeaderInput = {
        name: type === 'directory' && !name.endsWith('/') ? `${name}/` : name,
        type,
        mode: info.mode & 0o7777,
        uid: info.uid,
        gid: info.gid,
        mtime: new Date(Math.floor(info.mtimeMs / 1000) * 1000),
      };
      const inode = `${info.dev}:${info.ino}`;
      if (type === 'file' && info.nlink > 1) {
        const first = links.get(inode);
        if (first !== undefined) {
          await writer.add({ ...header, type: 'hardlink', linkname: first });
          continue;
        }
        links.set(inode, header.name);
      }
      if (type === 'symlink') header.linkname = await readlink(file);
      if (type === 'char' || type === 'block') {
        header.devmajor = Math.floor(info.rdev / 256) & 0xfff;
        header.devminor = (info.rdev & 0xff) | ((Math.floor(info.rdev / 4096) & 0xfff00) >>> 0);
      }
      if (type === 'file') {
        await writer.add(
          { ...header, size: info.size },
          createReadStream(file) as AsyncIterable<Buffer>,
        );
      } else {
        await writer.add(header);
      }
    }
    await writer.finish();
  };
  pack().catch((err: unknown) => {
    writer.readable.destroy(goPathError(err));
  });
  return writer.readable;
}

function inside(dest: string, path: string): boolean {
  const rel = posix.relative(dest, path);
  return rel === '' || (!rel.startsWith('../') && rel !== '..');
}

/**
 * Untar with docker cp's options: entries renamed by `rebases`, created under `dest`; an
 * existing directory is merged with a directory entry and never replaced by anything else.
 */
export async function extractArchive(
  source: AsyncIterable<Buffer>,
  dest: string,
  rebases: readonly Rebase[],
): Promise<void> {
  const dirs: { path: string; mtime: Date }[] = [];
  const realDest = await realpath(dest);
  for await (const entry of readTar(source)) {
    const { header } = entry;
    let name = header.name;
    for (const rebase of rebases) name = rebaseName(name, rebase);
    name = goClean(name);
    const path = posix.join(dest, name);
    if (!inside(dest, path))
      throw new Error(`${JSON.stringify(name)} is outside of ${JSON.stringify(dest)}`);
    if (!name.endsWith('/')) await mkdir(goDir(path), { recursive: true, mode: 0o755 });
    // A symlink unpacked earlier must not lead a later entry out of the destination.
    if (name !== '.' && !inside(realDest, await realpath(goDir(path)))) {
      throw new Error(`${JSON.stringify(name)} is outside of ${JSON.stringify(dest)}`);
    }
    const isDir = header.type === 'directory';
    const existing = await lstat(path).catch((err: unknown) => {
      if (hasErrno(err, 'ENOENT')) return undefined;
      throw err;
    });
    if (existing) {
      if (existing.isDirectory() && !isDir) {
        throw new Error(
          `cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(dest)}`,
        );
      }
      if (!existing.isDirectory() && isDir) {
        throw new Error(
          `cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(dest)}`,
        );
      }
      if (existing.isDirectory() && name === '.') continue;
      if (!isDir) await rm(path, { recursive: true, force: true });
    }
    const mode = header.mode & 0o7777;
    switch (header.type) {
      case 'directory':
        if (!existing) await mkdir(path, { mode });
        await chmod(path, mode);
        dirs.push({ path, mtime: header.mtime });
        continue;
      case 'file': {
        const file = await open(path, 'w', mode);
        try {
          for await (const chunk of entry.body()) {
            for (let done = 0; done < chunk.length;) {
              done += (await file.write(chunk, done, chunk.length - done)).bytesWritten;
            }
          }
        } finally {
          await file.close();
        }
        await chmod(path, mode);
        await utimes(path, header.mtime, header.mtime);
        continue;
      }
      case 'hardlink': {
        const target = posix.join(dest, header.linkname);
        if (!inside(dest, target)) {
          throw new Error(
            `invalid hardlink ${JSON.stringify(target)} -> ${JSON.stringify(header.linkname)}`,
          );
        }
        await link(target, path);
        continue;
      }
      case 'symlink': {
        const target = posix.join(goDir(path), header.linkname);
        if (!inside(dest, target)) {
          throw new Error(
            `invalid symlink ${JSON.stringify(path)} -> ${JSON.stringify(header.linkname)}`,
          );
        }
        await symlink(header.linkname, path);
        await lutimes(path, header.mtime, header.mtime);
        continue;
      }
      default:
        // Device nodes and FIFOs need mknod, which an unprivileged client skips, as docker does
        // in a user namespace.
        continue;
    }
  }
  for (const dir of dirs.reverse()) await utimes(dir.path, dir.mtime, dir.mtime);
}

/** docker's ValidateOutputPath for `cp CONTAINER:SRC DEST`. */
export async function validateCpOutputPath(path: string): Promise<void> {
  const dir = goDir(goClean(path));
  if (dir !== '' && dir !== '.') {
    try {
      await stat(dir);
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) {
        throw new Error(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
      }
    }
  }
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return;
    throw goPathError(err);
  }
  if (info.isDirectory() || info.isFile()) return;
  // Go's FileMode: a device is ModeDevice (char devices too), sockets and FIFOs are not irregular.
  const reason = invalidFileModeReason(
    info.isBlockDevice() || info.isCharacterDevice() ? 2 ** 26 : 0,
  );
  if (reason !== undefined) {
    throw new Error(
      `invalid output path: ${JSON.stringify(path)} must be a directory or a regular file: ${reason}`,
    );
  }
}
