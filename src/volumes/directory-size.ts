import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno } from '../core/index.js';

/**
 * The bytes of the files under `dir` (apparent sizes; a hard-linked file counted once), as
 * Docker reports a volume's size. Entries that vanish meanwhile are skipped; a missing `dir`
 * is 0.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (path: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return;
      throw err;
    }
    for (const name of names) {
      const child = join(path, name);
      let info;
      try {
        info = await lstat(child);
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) continue;
        throw err;
      }
      if (info.isDirectory()) {
        await walk(child);
        continue;
      }
      const key = `${info.dev}:${info.ino}`;
      if (info.nlink > 1 && seen.has(key)) continue;
      seen.add(key);
      total += info.size;
    }
  };
  await walk(dir);
  return total;
}
