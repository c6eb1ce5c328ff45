import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import {
  conflict,
  createMutex,
  hasErrno,
  internal,
  invalidArgument,
  notFound,
  syncDir,
  writeFileAtomic,
} from '../core/index.js';
import { type Digest, digestHex, isDigest, sha256Digest } from '../oci/index.js';
import { syncFilesystem } from '../sys/index.js';
import { prepareDiffDir, STORAGE_DRIVERS, type StorageDriver, unpackModeOf } from './drivers.js';
import { exportLayerTar } from './export-tar.js';
import { DIFF_DIR, digestLayerTar, unpackLayer } from './unpack.js';

export type { StorageDriver } from './drivers.js';

export interface Layer {
  chainId: Digest;
  /** sha256 of the uncompressed layer tar. */
  diffId: Digest;
  /** The parent's chain id. */
  parent: Digest | undefined;
  /** Bytes of regular-file content in this layer's tar (Docker's layer size). */
  size: number;
  /** Length of the uncompressed layer tar, i.e. of what exportTar() yields. */
  tarSize: number;
}

export interface RegisterOptions {
  expectedDiffId?: Digest;
  signal?: AbortSignal;
  /** Bytes of the (possibly compressed) input read so far. */
  onProgress?: (bytesRead: number) => void;
}

/**
 * Unpacked image layers, by chain id. On disk (`root` = `<data-root>/layers`):
 * `<driver>/<chain-id hex>/` holds `diff/` (the content), `tar-split` (what re-creates the tar),
 * `layer.json` (the metadata; a layer exists exactly when it is there) and, rarely, `bodies/`
 * (file bodies an archive overwrote). `tmp/` holds registers in progress and removals.
 */
export interface LayerStore {
  readonly driver: StorageDriver;
  /**
   * Unpacks a layer tar (plain or gzip) on top of `parent` (a chain id, or undefined for a base
   * layer; notFound if it does not exist). The diff id is computed while unpacking. If
   * `expectedDiffId` is given and differs → invalidArgument ('layer digest mismatch: expected X,
   * got Y') and nothing is stored. If the resulting chain id already exists the input is drained
   * and the existing layer returned. Invalid archives (paths leaving the layer root, paths
   * through symlinks, hard links to anything but earlier entries) → invalidArgument, nothing
   * stored. The layer is unpacked in `tmp/`, synced, and renamed into place complete with its
   * metadata: a crash at any moment leaves no half layer visible (cleanup() removes leftovers).
   */
  register(
    tar: AsyncIterable<Buffer>,
    parent: Digest | undefined,
    options?: RegisterOptions,
  ): Promise<Layer>;
  get(chainId: Digest): Promise<Layer | undefined>;
  list(): Promise<Layer[]>;
  /** The layer's tar, byte-identical to what register() consumed (decompressed): its sha256 is the diff id. */
  exportTar(chainId: Digest, signal?: AbortSignal): AsyncIterable<Buffer>;
  /** Removes a layer; conflict while another layer has it as parent (or is being registered on it). */
  remove(chainId: Digest): Promise<void>;
  /** Dirs for a container rootfs, top layer first: overlay2 → each layer's diff dir; vfs → [the full tree]. */
  lowerDirs(chainId: Digest): Promise<string[]>;
  /** Removes what interrupted registers and removals left (call at daemon start). */
  cleanup(): Promise<void>;
}

const LAYER_FILE = 'layer.json';
const TMP_DIR = 'tmp';
const HEX_NAME = /^[a-f0-9]{64}$/;

interface LayerRecord {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
  tarSize: number;
}

function parseLayerRecord(text: string, path: string): Layer {
  let record: Partial<LayerRecord>;
  try {
    record = JSON.parse(text) as Partial<LayerRecord>;
  } catch (err) {
    throw internal(`corrupt layer metadata: ${path}`, err);
  }
  const { chainId, diffId, parent, size, tarSize } = record;
  if (
    typeof chainId !== 'string' ||
    !isDigest(chainId) ||
    typeof diffId !== 'string' ||
    !isDigest(diffId) ||
    (parent !== null && (typeof parent !== 'string' || !isDigest(parent))) ||
    typeof size !== 'number' ||
    typeof tarSize !== 'number'
  ) {
    throw internal(`corrupt layer metadata: ${path}`);
  }
  return { chainId, diffId, parent: parent ?? undefined, size, tarSize };
}

export function chainIdOf(parent: Digest | undefined, diffId: Digest): Digest {
  return parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`);
}

export async function openLayerStore(options: {
  root: string;
  driver: StorageDriver;
}): Promise<LayerStore> {
  const { root, driver } = options;
  if (!STORAGE_DRIVERS.includes(driver)) {
    throw invalidArgument(`unsupported storage driver: ${String(driver)}`);
  }
  const driverDir = join(root, driver);
  const tmpDir = join(root, TMP_DIR);
  await mkdir(driverDir, { recursive: true, mode: 0o700 });
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  /** Guards commits and removals (short critical sections only). */
  const mutex = createMutex();
  /** Parents of registers in progress, with counts. */
  const busyParents = new Map<Digest, number>();
  /** Temp dirs of registers in progress (cleanup() leaves them alone). */
  const activeTmp = new Set<string>();

  const layerDir = (chainId: Digest): string => join(driverDir, digestHex(chainId));

  /**
   * Layer records read or committed so far. A record never changes once its layer is in place
   * and the daemon is the only writer (its instance lock), so it is read from disk once; a
   * removal forgets it.
   */
  const known = new Map<Digest, Layer>();
  /** Counts removals: a read that a removal overtook is not remembered. */
  let removals = 0;

  async function get(chainId: Digest): Promise<Layer | undefined> {
    if (!isDigest(chainId)) return undefined;
    const cached = known.get(chainId);
    if (cached) return cached;
    const path = join(layerDir(chainId), LAYER_FILE);
    const removalsBefore = removals;
    try {
      const layer = Object.freeze(parseLayerRecord(await readFile(path, 'utf8'), path));
      if (removals === removalsBefore) known.set(chainId, layer);
      return layer;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async function mustGet(chainId: Digest): Promise<Layer> {
    const layer = await get(chainId);
    if (layer === undefined) throw notFound(`no such layer: ${chainId}`);
    return layer;
  }

  async function list(): Promise<Layer[]> {
    const layers: Layer[] = [];
    for (const name of await readdir(driverDir)) {
      if (!HEX_NAME.test(name)) continue;
      const layer = await get(`sha256:${name}`);
      if (layer) layers.push(layer);
    }
    return layers;
  }

  /** Keeps `parent` from being removed while a layer is registered on it. */
  async function holdParent(parent: Digest | undefined): Promise<() => void> {
    if (parent === undefined) return () => undefined;
    await mutex.run(async () => {
      await mustGet(parent);
      busyParents.set(parent, (busyParents.get(parent) ?? 0) + 1);
    });
    return () => {
      const count = (busyParents.get(parent) ?? 1) - 1;
      if (count === 0) busyParents.delete(parent);
      else busyParents.set(parent, count);
    };
  }

  /** Moves a complete layer dir into place, unless the layer appeared meanwhile. */
  async function commit(tmp: string, layer: Layer): Promise<Layer> {
    const existing = await get(layer.chainId);
    if (existing) return existing;
    const target = layerDir(layer.chainId);
    // A dir without metadata is a leftover of an interrupted removal.
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
    await syncDir(driverDir);
    return layer;
  }

  async function unpackAndCommit(
    tar: AsyncIterable<Buffer>,
    parent: Digest | undefined,
    options: RegisterOptions,
  ): Promise<Layer> {
    const { expectedDiffId, signal } = options;
    const tmp = await mkdtemp(join(tmpDir, 'register-'));
    activeTmp.add(tmp);
    try {
      await prepareDiffDir({
        driver,
        diffDir: join(tmp, DIFF_DIR),
        parentDiffDir: parent === undefined ? undefined : join(layerDir(parent), DIFF_DIR),
        signal,
      });
      const { diffId, size, tarSize } = await unpackLayer({
        source: tar,
        layerDir: tmp,
        mode: unpackModeOf(driver),
        signal,
        onProgress: options.onProgress,
      });
      if (expectedDiffId !== undefined && expectedDiffId !== diffId) {
        throw invalidArgument(`layer digest mismatch: expected ${expectedDiffId}, got ${diffId}`);
      }
      const layer: Layer = { chainId: chainIdOf(parent, diffId), diffId, parent, size, tarSize };
      const record: LayerRecord = { ...layer, parent: parent ?? null };
      await writeFileAtomic(join(tmp, LAYER_FILE), `${JSON.stringify(record)}\n`, 0o600);
      await chmod(tmp, 0o711);
      await syncFilesystem(tmp, signal);
      return await mutex.run(() => commit(tmp, layer));
    } finally {
      await rm(tmp, { recursive: true, force: true });
      activeTmp.delete(tmp);
    }
  }

  return {
    driver,
    get,
    list,

    async register(tar, parent, options = {}) {
      options.signal?.throwIfAborted();
      const { expectedDiffId } = options;
      if (expectedDiffId !== undefined && !isDigest(expectedDiffId)) {
        throw invalidArgument(`invalid digest format: ${String(expectedDiffId)}`);
      }
      const release = await holdParent(parent);
      try {
        if (expectedDiffId !== undefined) {
          const existing = await get(chainIdOf(parent, expectedDiffId));
          if (existing) {
            const diffId = await digestLayerTar(tar, options);
            if (diffId !== expectedDiffId) {
              throw invalidArgument(
                `layer digest mismatch: expected ${expectedDiffId}, got ${diffId}`,
              );
            }
            return existing;
          }
        }
        return await unpackAndCommit(tar, parent, options);
      } finally {
        release();
      }
    },

    async *exportTar(chainId, signal) {
      await mustGet(chainId);
      yield* exportLayerTar(layerDir(chainId), signal);
    },

    async remove(chainId) {
      const doomed = await mutex.run(async () => {
        await mustGet(chainId);
        const child = (await list()).find((layer) => layer.parent === chainId);
        if (child !== undefined || busyParents.has(chainId)) {
          const user = child === undefined ? 'a layer being registered' : `layer ${child.chainId}`;
          throw conflict(`layer ${chainId} is in use by ${user}`);
        }
        const target = join(tmpDir, `remove-${randomBytes(8).toString('hex')}`);
        removals++;
        known.delete(chainId);
        await rename(layerDir(chainId), target);
        await syncDir(driverDir);
        return target;
      });
      await rm(doomed, { recursive: true, force: true });
    },

    async lowerDirs(chainId) {
      const layer = await mustGet(chainId);
      if (driver === 'vfs') return [join(layerDir(chainId), DIFF_DIR)];
      const dirs = [join(layerDir(chainId), DIFF_DIR)];
      for (
        let parent = layer.parent;
        parent !== undefined;
        parent = (await mustGet(parent)).parent
      ) {
        dirs.push(join(layerDir(parent), DIFF_DIR));
      }
      return dirs;
    },

    async cleanup() {
      for (const name of await readdir(tmpDir)) {
        if (activeTmp.has(join(tmpDir, name))) continue;
        await rm(join(tmpDir, name), { recursive: true, force: true });
      }
      for (const name of await readdir(driverDir)) {
        if (!HEX_NAME.test(name)) continue;
        if ((await get(`sha256:${name}`)) === undefined) {
          await rm(join(driverDir, name), { recursive: true, force: true });
        }
      }
    },
  };
}
