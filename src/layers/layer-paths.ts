import { ancestorPaths, isWithin } from './entry-path.js';

/**
 * What one unpack has put into the layer so far, by cleaned path: the entries of the archive,
 * the directories it created (or, for vfs, walked through) on their way, and what is still to
 * be done to them at the end (extended attributes, directory mtimes). Whiteouts are not here:
 * nothing can refer to them.
 */
export type TrackedKind =
  | 'file'
  | 'directory'
  /** Created (or walked through) as the parent of an entry, not an entry itself. */
  | 'implicit-directory'
  | 'symlink'
  | 'hardlink'
  | 'special';

export interface TrackedPath {
  kind: TrackedKind;
  /** Tar-split ordinal of the file body read back from this path on export. */
  ref?: number;
  /** Extended attributes to set once all entries are in place. */
  xattrs?: Map<string, Buffer>;
  /** Directory mtime, set last (adding entries to a directory changes it). */
  mtime?: Date;
}

export interface LayerPaths {
  get(path: string): TrackedPath | undefined;
  set(path: string, info: TrackedPath): void;
  /**
   * Forgets `path` and, when `subtree`, everything under it; returns what was forgotten (so the
   * caller can save referenced bodies before deleting the files).
   */
  forget(path: string, subtree: boolean): Array<[string, TrackedPath]>;
  /** Every tracked path with its info. */
  entries(): IterableIterator<[string, TrackedPath]>;
}

export function isDirectoryKind(kind: TrackedKind): boolean {
  return kind === 'directory' || kind === 'implicit-directory';
}

export function createLayerPaths(): LayerPaths {
  const paths = new Map<string, TrackedPath>();
  /** Paths that may have tracked descendants (never shrinks; a stale entry costs one scan). */
  const ancestors = new Set<string>();

  return {
    get: (path) => paths.get(path),
    set(path, info) {
      if (!paths.has(path)) {
        for (const ancestor of ancestorPaths(path)) ancestors.add(ancestor);
        if (path !== '') ancestors.add('');
      }
      paths.set(path, info);
    },
    forget(path, subtree) {
      const gone: Array<[string, TrackedPath]> = [];
      const own = paths.get(path);
      if (own) {
        gone.push([path, own]);
        paths.delete(path);
      }
      if (!subtree || !ancestors.has(path)) return gone;
      for (const [other, info] of paths) {
        if (other !== path && isWithin(other, path)) {
          gone.push([other, info]);
          paths.delete(other);
        }
      }
      return gone;
    },
    entries: () => paths.entries(),
  };
}
