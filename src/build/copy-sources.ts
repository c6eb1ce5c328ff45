import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { posix } from 'node:path';

import { resolveInRoot } from '../containers/index.js';
import { hasErrno, invalidArgument, notFound } from '../core/index.js';
import { pathMatch } from '../core/index.js';

/**
 * The sources of a COPY or ADD: each source pattern (wildcards as Go's filepath.Match)
 * resolved inside its root (the build context, or an image's or stage's files for
 * `--from`), and the checksum of what was found, which goes into the step's cache key.
 */
export interface CopySource {
  /** The source as written (after expansion), for messages. */
  original: string;
  /** The resolved host path, inside the root. */
  hostPath: string;
  /** The name a file source gets in a directory destination. */
  baseName: string;
  isDir: boolean;
  /** `file:<hex>` or `dir:<hex>`. */
  hash: string;
}

const WILDCARD = /[*?[\\]/;

/** Sources for one COPY/ADD; throws Docker's errors for sources that leave or miss the root. */
export async function resolveCopySources(
  root: string,
  patterns: readonly string[],
  command: string,
): Promise<CopySource[]> {
  const out: CopySource[] = [];
  for (const pattern of patterns) {
    const cleaned = posix.normalize(`/${pattern}`);
    if (posix.normalize(pattern).startsWith('../') || posix.normalize(pattern) === '..') {
      throw invalidArgument(`forbidden path outside the build context: ${pattern} ()`);
    }
    if (!WILDCARD.test(cleaned)) {
      out.push(await sourceAt(root, cleaned, pattern, command));
      continue;
    }
    const matches = await matchingPaths(root, cleaned.slice(1));
    for (const rel of matches) out.push(await sourceAt(root, `/${rel}`, pattern, command));
  }
  if (out.length === 0) throw invalidArgument(`${command} failed: no source files were specified`);
  return out;
}

async function sourceAt(
  root: string,
  path: string,
  original: string,
  command: string,
): Promise<CopySource> {
  const hostPath = await resolveInRoot(root, path, { followLast: true });
  let isDir: boolean;
  try {
    isDir = (await stat(hostPath)).isDirectory();
  } catch (err) {
    if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    throw notFound(
      `${command} failed: file not found in build context or excluded by .dockerignore: stat ${original.replace(/^\/+/, '')}: file does not exist`,
    );
  }
  const hash = await treeHash(hostPath);
  return {
    original,
    hostPath,
    baseName: posix.basename(path),
    isDir,
    hash: `${isDir ? 'dir' : 'file'}:${hash}`,
  };
}

/** Paths under root (relative, sorted) matching a wildcard pattern, component by component. */
async function matchingPaths(root: string, pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter((p) => p !== '');
  let current = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of current) {
      if (!WILDCARD.test(part)) {
        next.push(dir === '' ? part : `${dir}/${part}`);
        continue;
      }
      let names: string[];
      try {
        names = await readdir(await resolveInRoot(root, `/${dir}`, { followLast: true }));
      } catch (err) {
        if (hasErrno(err, 'ENOENT', 'ENOTDIR')) continue;
        throw err;
      }
      for (const name of names.sort()) {
        if (pathMatch(part, name)) next.push(dir === '' ? name : `${dir}/${name}`);
      }
    }
    current = next;
  }
  const existing: string[] = [];
  for (const rel of current) {
    try {
      await lstat(await resolveInRoot(root, `/${rel}`, { followLast: false }));
      existing.push(rel);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    }
  }
  return existing;
}

/**
 * A checksum of a file or tree: names, types, permission bits, link targets and contents
 * (not owners or times, which a COPY replaces or does not look at), following a top symlink.
 */
export async function treeHash(hostPath: string): Promise<string> {
  const hash = createHash('sha256');
  await addToHash(hash, hostPath, '.', true);
  return hash.digest('hex');
}

async function addToHash(
  hash: ReturnType<typeof createHash>,
  hostPath: string,
  name: string,
  top: boolean,
): Promise<void> {
  const info = top ? await stat(hostPath) : await lstat(hostPath);
  const mode = (info.mode & 0o7777).toString(8);
  if (info.isDirectory()) {
    hash.update(`d ${name} ${mode}\0`);
    for (const child of (await readdir(hostPath)).sort()) {
      await addToHash(hash, `${hostPath}/${child}`, `${name}/${child}`, false);
    }
  } else if (info.isSymbolicLink()) {
    hash.update(`l ${name} ${await readlink(hostPath)}\0`);
  } else if (info.isFile()) {
    hash.update(`f ${name} ${mode} ${info.size}\0`);
    for await (const chunk of createReadStream(hostPath)) hash.update(chunk as Buffer);
  } else {
    hash.update(`o ${name} ${mode} ${info.rdev}\0`);
  }
}

/** Docker's cache text of several sources: one source's own hash, else `multi:<sha256>`. */
export function combinedHash(hashes: readonly string[]): string {
  if (hashes.length === 1) return hashes[0] as string;
  return `multi:${createHash('sha256').update(hashes.join(',')).digest('hex')}`;
}

/** A COPY/ADD destination: relative ones are under the working dir; a trailing `/` is kept. */
export function normalizeDest(workingDir: string, dest: string): string {
  if (dest.startsWith('/')) return dest;
  const joined = posix.join('/', workingDir || '/', dest);
  return dest.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
}
