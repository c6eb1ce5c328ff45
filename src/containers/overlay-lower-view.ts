import { type BigIntStats, lstatSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';

import { hasErrno } from '../core/index.js';
import { OPAQUE_XATTR } from '../layers/index.js';
import { scanXattrs } from '../sys/index.js';

/**
 * The tree overlayfs would show for a stack of layer dirs in overlay form (whiteouts are 0/0
 * character devices, opaque directories carry `trusted.overlay.opaque=y`), read without
 * mounting it. Paths are container paths ('/etc/hosts').
 */
export interface LowerView {
  /** What the merged tree has at `path`; undefined if nothing (or a whiteout hides it). */
  lookup(path: string): Promise<BigIntStats | undefined>;
  /** As lookup, with the host path of the layer entry that shows there. */
  locate(path: string): Promise<{ hostPath: string; info: BigIntStats } | undefined>;
  /** The names in merged directory `path` (none if it is not a directory). */
  list(path: string): Promise<string[]>;
}

/** A view of `lowerDirs`, top layer first (overlay's lowerdir order). */
export function createLowerView(lowerDirs: readonly string[], signal?: AbortSignal): LowerView {
  /** Directory → the host dirs, top first, whose entries make it up ([] if not a directory). */
  const dirLayers = new Map<string, Promise<string[]>>();

  function layersOf(dir: string): Promise<string[]> {
    let layers = dirLayers.get(dir);
    if (layers === undefined) {
      layers = collectLayers(dir);
      dirLayers.set(dir, layers);
    }
    return layers;
  }

  async function collectLayers(dir: string): Promise<string[]> {
    // The root of an overlay merges every layer's root; opaqueness applies below it.
    if (dir === '/') return lowerDirs.filter((layer) => lstatIfExists(layer)?.isDirectory());
    const candidates: string[] = [];
    const sources = await layersOf(posix.dirname(dir));
    for (const source of sources) {
      const host = posix.join(source, posix.basename(dir));
      const info = lstatIfExists(host);
      if (info === undefined) continue;
      // A whiteout hides this name in the layers below; a non-directory is not merged.
      if (isWhiteout(info) || !info.isDirectory()) break;
      candidates.push(host);
    }
    return cutAtOpaque(candidates);
  }

  /** The layers below an opaque directory do not show through it. */
  async function cutAtOpaque(candidates: string[]): Promise<string[]> {
    if (candidates.length < 2) return candidates;
    const attrs = await scanXattrs(candidates.slice(0, -1), {
      match: `^${OPAQUE_XATTR.replaceAll('.', '\\.')}$`,
      signal,
    });
    const opaque = candidates.findIndex((c) => attrs.get(c)?.get(OPAQUE_XATTR)?.toString() === 'y');
    return opaque === -1 ? candidates : candidates.slice(0, opaque + 1);
  }

  async function locate(path: string) {
    if (path === '/') {
      const top = lowerDirs[0];
      const info = top === undefined ? undefined : lstatIfExists(top);
      return top === undefined || info === undefined ? undefined : { hostPath: top, info };
    }
    for (const layer of await layersOf(posix.dirname(path))) {
      const hostPath = posix.join(layer, posix.basename(path));
      const info = lstatIfExists(hostPath);
      if (info === undefined) continue;
      return isWhiteout(info) ? undefined : { hostPath, info };
    }
    return undefined;
  }

  return {
    locate,
    async lookup(path) {
      return (await locate(path))?.info;
    },
    async list(path) {
      const decided = new Set<string>();
      const names: string[] = [];
      for (const layer of await layersOf(path)) {
        for (const name of readdirSync(layer)) {
          if (decided.has(name)) continue;
          decided.add(name);
          const info = lstatIfExists(posix.join(layer, name));
          if (info !== undefined && !isWhiteout(info)) names.push(name);
        }
      }
      return names.sort();
    },
  };
}

/** An overlayfs whiteout: a character device numbered 0/0. */
export function isWhiteout(info: BigIntStats): boolean {
  return info.isCharacterDevice() && info.rdev === 0n;
}

export function lstatIfExists(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch (err) {
    if (hasErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}
