import { decompressed, readTar } from '../archive/index.js';
import { isMoorError } from '../core/index.js';

/**
 * Docker's test for an archive (ADD's unpacking, a build context): data, possibly compressed,
 * whose start reads as a tar.
 */
export async function readsAsTar(data: AsyncIterable<Buffer>): Promise<boolean> {
  try {
    const entries = readTar(decompressed(data))[Symbol.asyncIterator]();
    const first = await entries.next();
    await entries.return?.(undefined);
    return first.done !== true;
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) return false;
    throw err;
  }
}
