import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { readCheckpoint, writeCheckpoint } from './pump-checkpoint.js';

test('checkpoints: offset, inode and the bytes of a record stored already', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'moor-logging-checkpoint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'offset');
  assert.equal(await readCheckpoint(path), undefined);
  await writeCheckpoint(path, { offset: 120, ino: 77n });
  assert.deepEqual(await readCheckpoint(path), { offset: 120, ino: 77n });
  await writeCheckpoint(path, { offset: 120, ino: 77n, skip: 6384 });
  assert.deepEqual(await readCheckpoint(path), { offset: 120, ino: 77n, skip: 6384 });
  await writeCheckpoint(path, { offset: 200, ino: 77n, skip: 0 });
  assert.deepEqual(await readCheckpoint(path), { offset: 200, ino: 77n });
  await writeFile(path, '42\n');
  assert.deepEqual(await readCheckpoint(path), { offset: 42 });
  await writeFile(path, '4x2');
  assert.equal(await readCheckpoint(path), undefined, 'unreadable: start over');
});
