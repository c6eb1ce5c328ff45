import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, isAtomicTempFile, syncDir, writeFileAtomic } from '../core/index.js';
import type { VolumeRecord } from './volume-record.js';
import { isValidVolumeName } from './volume-names.js';

const RECORD_FILE = 'volume.json';
/** Removed volumes are renamed to this prefix first (no volume name starts with a dot). */
const REMOVING_PREFIX = '.removing-';

/**
 * Volumes on disk, as Docker's local driver lays them out: `<root>/<name>/_data` holds the
 * data, `<root>/<name>/volume.json` the record (written atomically). All records are kept in
 * memory. A directory without a record (a crash between the two writes, or a volume copied in
 * by hand) is still a volume, as Docker's local driver lists every directory.
 */
export interface VolumeStore {
  all(): VolumeRecord[];
  get(name: string): VolumeRecord | undefined;
  /** `<root>/<name>/_data`. */
  dataDir(name: string): string;
  /** Creates the volume's directories if needed and stores its record. */
  save(record: VolumeRecord): Promise<void>;
  /**
   * Forgets the volume and removes its directory: renamed away at once (so the name is free
   * and a crash leaves no half-deleted volume), deleted in the background.
   */
  remove(name: string): Promise<void>;
  /** Resolves once background deletions are done (for shutdown and tests). */
  settled(): Promise<void>;
}

/** RFC 3339 in seconds with the host's offset, as Docker's CreatedAt (`2026-11-23T10:00:00Z`). */
export function volumeTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

export async function openVolumeStore(root: string): Promise<VolumeStore> {
  await mkdir(root, { recursive: true, mode: 0o701 });
  const records = new Map<string, VolumeRecord>();
  const deletions = new Set<Promise<void>>();
  const deleteInBackground = (dir: string) => {
    const done = rm(dir, { recursive: true, force: true }).finally(() => deletions.delete(done));
    deletions.add(done);
  };
  for (const entry of await readdir(root)) {
    if (entry.startsWith(REMOVING_PREFIX)) {
      deleteInBackground(join(root, entry));
      continue;
    }
    if (!isValidVolumeName(entry)) continue;
    records.set(entry, await loadRecord(join(root, entry), entry));
  }

  return {
    all: () => [...records.values()],
    get: (name) => records.get(name),
    dataDir: (name) => join(root, name, '_data'),
    async save(record) {
      const dir = join(root, record.name);
      await mkdir(join(dir, '_data'), { recursive: true, mode: 0o755 });
      await writeFileAtomic(join(dir, RECORD_FILE), JSON.stringify(record), 0o600);
      records.set(record.name, record);
    },
    async remove(name) {
      const away = join(root, `${REMOVING_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
      try {
        await rename(join(root, name), away);
      } catch (err) {
        if (!hasErrno(err, 'ENOENT')) throw err;
        records.delete(name);
        return;
      }
      records.delete(name);
      await syncDir(root);
      deleteInBackground(away);
    },
    async settled() {
      await Promise.all([...deletions]);
    },
  };
}

/** A volume directory's record, or one made up for a directory without it. */
async function loadRecord(dir: string, name: string): Promise<VolumeRecord> {
  for (const entry of await readdir(dir)) {
    if (isAtomicTempFile(entry)) await rm(join(dir, entry), { force: true });
  }
  try {
    return JSON.parse(await readFile(join(dir, RECORD_FILE), 'utf8')) as VolumeRecord;
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  await mkdir(join(dir, '_data'), { recursive: true, mode: 0o755 });
  const made = await stat(dir);
  return { name, driver: 'local', labels: null, options: null, createdAt: volumeTime(made.mtime) };
}
