import { renameSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import {
  type Logger,
  conflict,
  hasErrno,
  invalidArgument,
  isAtomicTempFile,
  notFound,
  writeFileAtomic,
} from '../core/index.js';
import type { ContainerRecord } from './container-record.js';

const RECORD_FILE = 'container.json';
const ID = /^[a-f0-9]{64}$/;
/** A removed container's directory while its files are deleted. */
const REMOVING = '.removing-';

/**
 * Container records: one directory per container under `<data-root>/containers/<id>/`, its
 * record in `container.json` (written atomically), kept in memory with a name index. A
 * directory without a record is a create that never finished; `open` removes it.
 */
export interface ContainerStore {
  readonly root: string;
  dirOf(id: string): string;
  all(): ContainerRecord[];
  get(id: string): ContainerRecord | undefined;
  /** By full id, name (with or without `/`), or unique id prefix; NotFound as Docker words it. */
  resolve(nameOrId: string): ContainerRecord;
  /** The id holding a name, if any. */
  idByName(name: string): string | undefined;
  /** Reserves a name for a container being created (Conflict when taken). */
  reserveName(name: string, id: string): void;
  releaseName(name: string, id: string): void;
  /**
   * Stores the record (memory and disk). `transient`: a state a power failure ends anyway (a
   * container running): its directory is not synced, so that change alone may be lost then.
   * `fresh`: the first record, in a directory made just now: syncing that directory would not
   * make the directory itself durable, so, as dockerd at create, only the record's data is
   * synced.
   */
  save(record: ContainerRecord, options?: { transient?: boolean; fresh?: boolean }): Promise<void>;
  /** Forgets the record (memory only): the container is gone for clients. */
  forget(id: string): void;
  /**
   * Forgets the record and takes its directory out of the store at once (one rename); its
   * files are deleted in the background.
   */
  delete(id: string): void;
}

export function nameConflict(name: string, id: string): Error {
  return conflict(
    `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}

export async function openContainerStore(root: string, logger: Logger): Promise<ContainerStore> {
  await mkdir(root, { recursive: true, mode: 0o710 });
  const records = new Map<string, ContainerRecord>();
  const names = new Map<string, string>();
  for (const entry of await readdir(root)) {
    if (!ID.test(entry)) continue;
    const path = join(root, entry, RECORD_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
      logger.warn('removing an unfinished container', { id: entry });
      await rm(join(root, entry), { recursive: true, force: true });
      continue;
    }
    const record = JSON.parse(text) as ContainerRecord;
    records.set(record.id, record);
    names.set(record.name, record.id);
  }
  for (const entry of await readdir(root)) {
    if (isAtomicTempFile(entry)) await rm(join(root, entry), { force: true });
    if (entry.startsWith(REMOVING)) await rm(join(root, entry), { recursive: true, force: true });
  }

  const dirOf = (id: string): string => join(root, id);
  const forget = (id: string): void => {
    const record = records.get(id);
    if (record && names.get(record.name) === id) names.delete(record.name);
    records.delete(id);
  };
  return {
    root,
    dirOf,
    all: () => [...records.values()],
    get: (id) => records.get(id),
    resolve(nameOrId) {
      if (nameOrId === '') throw notFound('No such container: ');
      const byId = records.get(nameOrId);
      if (byId) return byId;
      const byName = names.get(nameOrId.replace(/^\//, ''));
      const named = byName === undefined ? undefined : records.get(byName);
      if (named) return named;
      if (/^[a-f0-9]+$/.test(nameOrId)) {
        const matches = [...records.keys()].filter((id) => id.startsWith(nameOrId));
        if (matches.length > 1) {
          throw invalidArgument(`multiple IDs found with provided prefix: ${nameOrId}`);
        }
        const only = matches[0] === undefined ? undefined : records.get(matches[0]);
        if (only) return only;
      }
      throw notFound(`No such container: ${nameOrId}`);
    },
    idByName: (name) => names.get(name),
    reserveName(name, id) {
      const holder = names.get(name);
      if (holder !== undefined && holder !== id) throw nameConflict(name, holder);
      names.set(name, id);
    },
    releaseName(name, id) {
      if (names.get(name) === id) names.delete(name);
    },
    async save(record, options = {}) {
      // The directory is made at create; a record removed meanwhile is not brought back.
      await writeFileAtomic(join(dirOf(record.id), RECORD_FILE), JSON.stringify(record), 0o600, {
        syncDirectory: options.transient !== true && options.fresh !== true,
      });
      records.set(record.id, record);
      names.set(record.name, record.id);
    },
    forget,
    delete(id) {
      forget(id);
      // One rename takes the directory (record included) out of the store; its files go in
      // the background, and whatever a crash leaves of them goes at the next open. The rename
      // is made at once: a waiter (`docker run --rm`) is answered right after it.
      const trash = join(root, `${REMOVING}${id}`);
      try {
        renameSync(dirOf(id), trash);
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) return;
        throw err;
      }
      rm(trash, { recursive: true, force: true }).catch((err: unknown) => {
        logger.warn('removing the files of a removed container failed', {
          id,
          error: err instanceof Error ? err.message : String(err),
        });
      });
    },
  };
}
