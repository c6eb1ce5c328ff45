import { stat } from 'node:fs/promises';

import { hasErrno } from './errors.js';

/** Whether something is at `path` (following symlinks); errors other than ENOENT are thrown. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}
