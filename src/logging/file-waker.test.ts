import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { createFileWaker } from './file-waker.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-waker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a watched directory wakes on a change, and polls only at the watched interval', async (t) => {
  const dir = await tempDir(t);
  const waker = createFileWaker({ dir, pollMs: 10, watchedPollMs: 60_000 });
  t.after(() => waker.close());
  const waiting = waker.wait();
  await writeFile(join(dir, 'log'), 'line\n');
  assert.equal(await waiting, 'event');
  // The write's further events (modify, close) may have come meanwhile: take them.
  await new Promise((resolve) => setTimeout(resolve, 100));
  waker.wake();
  assert.equal(await waker.wait(), 'event');
  // The 10 ms poll is for a directory that cannot be watched: this one is.
  const early = await Promise.race([
    waker.wait(),
    new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200)),
  ]);
  assert.equal(early, 'still waiting');
  waker.wake();
});

test('wake() ends a wait as an event; without a watch the short poll ends it', async (t) => {
  const dir = join(await tempDir(t), 'not-there-yet');
  const waker = createFileWaker({ dir, pollMs: 10, watchedPollMs: 60_000 });
  t.after(() => waker.close());
  assert.equal(await waker.wait(), 'poll');
  const waiting = waker.wait();
  waker.wake();
  assert.equal(await waiting, 'event');
  waker.wake();
  assert.equal(await waker.wait(), 'event', 'a wake before the wait is kept');
});
