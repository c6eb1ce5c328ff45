import { stat } from 'node:fs/promises';

import { hasErrno } from './errors.js';

/**
 * Whether something is at `path` (following symlinks); a missing element, or one under a
 * non-directory (ENOTDIR), is nothing there. Other errors are thrown.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}
