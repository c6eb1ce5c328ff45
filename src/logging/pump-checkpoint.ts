import { readFile, writeFile } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';

/**
 * How far the pump has converted a file: `<offset> <inode>[ <skip>]\n`. The inode says which
 * file the offset belongs to, so a re-created source is converted from its start and a finished
 * `.old` is recognized after a crash. `skip`: how many bytes of the content of the record at
 * the offset are stored already (whole pieces of a long line still being written). A bare
 * `<offset>` (unknown file) is accepted.
 */
export interface Checkpoint {
  offset: number;
  ino?: bigint;
  skip?: number;
}

/** The stored checkpoint; undefined when there is none or it is unreadable (start over). */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  const match = /^(\d+)(?: (\d+)(?: (\d+))?)?\n?$/.exec(text);
  if (!match) return undefined;
  const checkpoint: Checkpoint = { offset: Number(match[1]) };
  if (match[2] !== undefined) checkpoint.ino = BigInt(match[2]);
  if (match[3] !== undefined && match[3] !== '0') checkpoint.skip = Number(match[3]);
  return checkpoint;
}

/**
 * A plain write, not an atomic one: one small write per batch is cheap, and a torn write can
 * only yield an unreadable or smaller offset — duplicates on restart, never a loss.
 */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const ino = checkpoint.ino === undefined ? '' : ` ${checkpoint.ino}`;
  const skip = checkpoint.skip ? ` ${checkpoint.skip}` : '';
  await writeFile(path, `${checkpoint.offset}${ino}${skip}\n`);
}
