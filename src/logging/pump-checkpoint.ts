import { readFile, writeFile } from 'node:fs/promises';

import { hasErrno } from '../core/index.js';

/**
 * How far the pump has converted a file: `<offset> <inode>\n`. The inode says which file the
 * offset belongs to, so a re-created source is converted from its start and a finished `.old`
 * is recognized after a crash. A bare `<offset>` (unknown file) is accepted.
 */
export interface Checkpoint {
  offset: number;
  ino?: bigint;
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
  const match = /^(\d+)(?: (\d+))?\n?$/.exec(text);
  if (!match) return undefined;
  const offset = Number(match[1]);
  return match[2] === undefined ? { offset } : { offset, ino: BigInt(match[2]) };
}

/**
 * A plain write, not an atomic one: one small write per batch is cheap, and a torn write can
 * only yield an unreadable or smaller offset — duplicates on restart, never a loss.
 */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const ino = checkpoint.ino === undefined ? '' : ` ${checkpoint.ino}`;
  await writeFile(path, `${checkpoint.offset}${ino}\n`);
}
