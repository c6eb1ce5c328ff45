import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { hasErrno, writeFileAtomic } from '../core/index.js';

/**
 * The engine's stable identity (`docker info` ID): a UUID created on first start and kept in
 * the data root, so it survives restarts and differs between hosts.
 */
export async function loadEngineId(dataRoot: string): Promise<string> {
  const path = join(dataRoot, 'engine-id');
  try {
    const id = (await readFile(path, 'utf8')).trim();
    if (id) return id;
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  const id = randomUUID();
  await writeFileAtomic(path, id + '\n');
  return id;
}
