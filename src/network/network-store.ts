import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, isAtomicTempFile, notFound, writeFileAtomic } from '../core/index.js';
import type { NetworkRecord } from './network-record.js';

const ID = /^[a-f0-9]{64}$/;

/**
 * Network records: one JSON file per network under `<data-root>/network/`, written atomically,
 * kept in memory. Lookups go by full id, exact name, or id prefix, as dockerd resolves them.
 */
export interface NetworkStore {
  all(): NetworkRecord[];
  get(id: string): NetworkRecord | undefined;
  byName(name: string): NetworkRecord | undefined;
  /** NotFound `network REF not found` (Docker's words). */
  resolve(ref: string): NetworkRecord;
  save(record: NetworkRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

export async function openNetworkStore(root: string): Promise<NetworkStore> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const records = new Map<string, NetworkRecord>();
  for (const entry of await readdir(root)) {
    if (isAtomicTempFile(entry)) {
      await rm(join(root, entry), { force: true });
      continue;
    }
    const id = entry.replace(/\.json$/, '');
    if (!ID.test(id) || !entry.endsWith('.json')) continue;
    const record = JSON.parse(await readFile(join(root, entry), 'utf8')) as NetworkRecord;
    records.set(record.id, record);
  }
  const byName = (name: string) => [...records.values()].find((r) => r.name === name);
  return {
    all: () => [...records.values()],
    get: (id) => records.get(id),
    byName,
    resolve(ref) {
      const found = records.get(ref) ?? byName(ref);
      if (found) return found;
      if (/^[a-f0-9]+$/.test(ref)) {
        const matches = [...records.values()].filter((r) => r.id.startsWith(ref));
        if (matches.length === 1 && matches[0]) return matches[0];
      }
      throw notFound(`network ${ref} not found`);
    },
    async save(record) {
      await writeFileAtomic(join(root, `${record.id}.json`), JSON.stringify(record), 0o600);
      records.set(record.id, record);
    },
    async delete(id) {
      records.delete(id);
      try {
        await rm(join(root, `${id}.json`));
      } catch (err) {
        if (!hasErrno(err, 'ENOENT')) throw err;
      }
    },
  };
}
