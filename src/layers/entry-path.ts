import { invalidArgument } from '../core/index.js';

/**
 * Paths of tar entries inside a layer, cleaned to a canonical relative form: no leading '/' or
 * './', no empty or '.' segments, '..' resolved lexically. '' is the layer root.
 */

/**
 * Cleans a tar entry name. A name that climbs above the layer root throws invalidArgument
 * ('invalid tar: path "X" escapes the layer root').
 */
export function cleanEntryPath(name: string): string {
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) {
        throw invalidArgument(`invalid tar: path "${name}" escapes the layer root`);
      }
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.some((segment) => segment.includes('\0'))) {
    throw invalidArgument(`invalid tar: path "${name}" contains a NUL byte`);
  }
  return segments.join('/');
}

/** The directory part of a cleaned path ('' for top-level entries and the root). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Every proper ancestor of a cleaned path, outermost first ('a/b/c' → ['a', 'a/b']). */
export function ancestorPaths(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1))
    out.push(path.slice(0, i));
  return out;
}

/** True if `path` is `root` or lies under it ('' is the ancestor of everything). */
export function isWithin(path: string, root: string): boolean {
  return root === '' || path === root || path.startsWith(`${root}/`);
}

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** What a layer entry means for the tree it is applied to. */
export type EntryRole =
  | { kind: 'plain' }
  /** `.wh.NAME`: delete `target` from the layers below. */
  | { kind: 'whiteout'; target: string }
  /** `.wh..wh..opq`: hide the content the layers below have in `dir`. */
  | { kind: 'opaque'; dir: string }
  /** Other `.wh..wh.*` names: AUFS bookkeeping (hard link dirs), not part of the tree. */
  | { kind: 'aufs-meta' };

/** Classifies a cleaned entry path by the OCI/AUFS whiteout conventions. */
export function entryRole(path: string): EntryRole {
  const top = path.split('/', 1)[0] ?? '';
  if (top.startsWith(WHITEOUT_META_PREFIX) && top !== OPAQUE_WHITEOUT && top !== path) {
    return { kind: 'aufs-meta' };
  }
  const base = baseName(path);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir: parentPath(path) };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'aufs-meta' };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '' || name === '.' || name === '..') {
      throw invalidArgument(`invalid tar: bad whiteout name "${path}"`);
    }
    return { kind: 'whiteout', target: joinPath(parentPath(path), name) };
  }
  return { kind: 'plain' };
}
