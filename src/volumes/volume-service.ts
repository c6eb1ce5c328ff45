import { randomBytes } from 'node:crypto';

import {
  type FilterArgs,
  boolFilter,
  checkFilterKeys,
  conflict,
  createMutex,
  exactMatcher,
  labelFiltersMatch,
  notFound,
} from '../core/index.js';
import { createMountCounter, mountsData, validateLocalOptions } from './local-driver.js';
import { ANONYMOUS_LABEL, type VolumeRecord, isAnonymous } from './volume-record.js';
import { validateVolumeName } from './volume-names.js';
import { type VolumeStore, volumeTime } from './volume-store.js';
import { directorySize } from './directory-size.js';
import type { PublishEvent } from '../events/index.js';

export interface CreateVolumeRequest {
  /** Empty or absent: an anonymous volume (64 random hex digits, Docker's label). */
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string> | null;
  labels?: Record<string, string> | null;
}

/** A volume a container wants: by name (created when missing), or a new anonymous one. */
export type WantedVolume = CreateVolumeRequest;

/**
 * Volumes (the `local` driver) and which containers reference them. References are what make a
 * volume "in use": a referenced volume is never removed or pruned, whether its containers run
 * or not. Containers register theirs at create (`claim`), give them up at removal (`forget`)
 * and re-register them when moord starts (`restore`).
 */
export interface VolumeService {
  /** Filters: name (part of the name), dangling, label, label!, driver. */
  list(filters: FilterArgs): VolumeRecord[];
  /** NotFound `get NAME: no such volume`. */
  get(name: string): VolumeRecord;
  dataDir(name: string): string;
  /** Creates a volume, or returns the existing one of that name. */
  create(request: CreateVolumeRequest): Promise<VolumeRecord>;
  /** Conflict while referenced; NotFound unless `force`. */
  remove(name: string, options?: { force?: boolean }): Promise<void>;
  /** Unreferenced volumes: anonymous ones, or all with the filter `all=true`. */
  prune(filters: FilterArgs): Promise<{ deleted: string[]; reclaimed: number }>;
  /** Creates what is missing and records that `containerId` references the volumes. */
  claim(containerId: string, wanted: readonly WantedVolume[]): Promise<VolumeRecord[]>;
  /** Records references known from a stored container (at start-up). */
  restore(containerId: string, names: readonly string[]): void;
  /** Drops a container's references; `removeAnonymous` removes its anonymous volumes no other container uses. */
  forget(containerId: string, options?: { removeAnonymous?: boolean }): Promise<void>;
  /** The ids of the containers referencing a volume. */
  usersOf(name: string): string[];
  /** Makes the data ready for a starting container (mounts `type/device/o` volumes); its path. */
  acquire(name: string): Promise<string>;
  /** The counterpart of acquire, when the container has stopped. */
  release(name: string): Promise<void>;
  /** Bytes of data in the volume (for prune and system df). */
  size(name: string): Promise<number>;
  /** Waits for background deletions. */
  close(): Promise<void>;
}

export interface VolumeServiceOptions {
  store: VolumeStore;
  now?: () => Date;
  /** The engine's event log. */
  publish?: PublishEvent;
}

function driverOf(request: CreateVolumeRequest): string {
  const driver = request.driver || 'local';
  if (driver !== 'local') {
    throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  }
  return driver;
}

export function createVolumeService(options: VolumeServiceOptions): VolumeService {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const mutex = createMutex();
  const mounts = createMountCounter();
  /** container id → names of the volumes it references. */
  const references = new Map<string, Set<string>>();

  /** Docker's volume events: the volume's name as actor id, its driver. */
  const publish = (action: string, name: string, attributes: Record<string, string>) =>
    options.publish?.({ type: 'volume', action, actor: { id: name, attributes } });

  const usersOf = (name: string) =>
    [...references].filter(([, names]) => names.has(name)).map(([id]) => id);

  const get = (name: string): VolumeRecord => {
    const record = store.get(name);
    if (!record) throw notFound(`get ${name}: no such volume`);
    return record;
  };

  /** Create under the mutex. */
  const createLocked = async (request: CreateVolumeRequest): Promise<VolumeRecord> => {
    const driver = driverOf(request);
    const name = request.name || randomBytes(32).toString('hex');
    validateVolumeName(name);
    const existing = store.get(name);
    if (existing) return existing;
    const opts = request.driverOpts ? { ...request.driverOpts } : null;
    validateLocalOptions(opts ?? {});
    let labels = request.labels ? { ...request.labels } : null;
    if (!request.name) labels = { ...labels, [ANONYMOUS_LABEL]: '' };
    const record: VolumeRecord = {
      name,
      driver,
      labels,
      options: opts,
      createdAt: volumeTime(now()),
    };
    await store.save(record);
    publish('create', name, { driver });
    return record;
  };

  const removeLocked = async (name: string): Promise<void> => {
    const users = usersOf(name);
    if (users.length > 0)
      throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await mounts.drop(store.dataDir(name));
    await store.remove(name);
    publish('destroy', name, { driver: 'local' });
  };

  const matches = (filters: FilterArgs, record: VolumeRecord) => {
    const names = filters['name'] ?? [];
    const dangling = boolFilter(filters, 'dangling', false);
    return (
      (names.length === 0 || names.some((n) => record.name.includes(n))) &&
      exactMatcher(filters, 'driver')(record.driver) &&
      labelFiltersMatch(filters, record.labels) &&
      (!Object.hasOwn(filters, 'dangling') || dangling === (usersOf(record.name).length === 0))
    );
  };

  return {
    list(filters) {
      checkFilterKeys(filters, ['dangling', 'driver', 'label', 'label!', 'name']);
      return store.all().filter((r) => matches(filters, r));
    },
    get,
    dataDir: (name) => store.dataDir(name),
    create: (request) => mutex.run(() => createLocked(request)),
    remove: (name, opts = {}) =>
      mutex.run(async () => {
        if (!store.get(name)) {
          if (opts.force) return;
          throw notFound(`get ${name}: no such volume`);
        }
        await removeLocked(name);
      }),
    prune: (filters) =>
      mutex.run(async () => {
        checkFilterKeys(filters, ['label', 'label!', 'all']);
        const all = boolFilter(filters, 'all', false);
        const deleted: string[] = [];
        let reclaimed = 0;
        for (const record of store.all()) {
          if (!all && !isAnonymous(record)) continue;
          if (!labelFiltersMatch(filters, record.labels)) continue;
          if (usersOf(record.name).length > 0) continue;
          const size = await directorySize(store.dataDir(record.name));
          await removeLocked(record.name);
          deleted.push(record.name);
          reclaimed += size;
        }
        publish('prune', '', { reclaimed: String(reclaimed) });
        return { deleted, reclaimed };
      }),
    claim: (containerId, wanted) =>
      mutex.run(async () => {
        const records: VolumeRecord[] = [];
        for (const want of wanted) records.push(await createLocked(want));
        const names = references.get(containerId) ?? new Set<string>();
        for (const record of records) names.add(record.name);
        references.set(containerId, names);
        return records;
      }),
    restore(containerId, names) {
      const known = references.get(containerId) ?? new Set<string>();
      for (const name of names) if (store.get(name)) known.add(name);
      references.set(containerId, known);
    },
    forget: (containerId, opts = {}) =>
      mutex.run(async () => {
        const names = references.get(containerId) ?? new Set<string>();
        references.delete(containerId);
        if (!opts.removeAnonymous) return;
        for (const name of names) {
          const record = store.get(name);
          if (record && isAnonymous(record) && usersOf(name).length === 0) await removeLocked(name);
        }
      }),
    usersOf,
    async acquire(name) {
      const record = get(name);
      const dir = store.dataDir(name);
      if (record.options && mountsData(record.options)) await mounts.acquire(record.options, dir);
      return dir;
    },
    async release(name) {
      const record = store.get(name);
      if (record?.options && mountsData(record.options)) await mounts.release(store.dataDir(name));
    },
    size: (name) => directorySize(store.dataDir(name)),
    close: () => store.settled(),
  };
}
