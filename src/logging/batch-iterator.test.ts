import assert from 'node:assert/strict';
import { test } from 'node:test';

import { flattenBatches, isBufferedIterator } from './batch-iterator.js';

async function* batches(...lists: number[][]): AsyncGenerator<number[]> {
  for (const list of lists) yield await Promise.resolve(list);
}

test('items come one at a time across batches, empty batches skipped', async () => {
  const seen: number[] = [];
  for await (const n of flattenBatches(batches([1, 2], [], [3]))) seen.push(n);
  assert.deepEqual(seen, [1, 2, 3]);
});

test('takeBuffered hands over the rest of the current batch; next() goes on after it', async () => {
  const it = flattenBatches(batches([1, 2, 3], [4, 5]));
  assert.ok(isBufferedIterator(it));
  assert.deepEqual(it.takeBuffered(), []);
  assert.deepEqual(await it.next(), { value: 1, done: false });
  assert.deepEqual(it.takeBuffered(), [2, 3]);
  assert.deepEqual(it.takeBuffered(), []);
  assert.deepEqual(await it.next(), { value: 4, done: false });
  assert.deepEqual(await it.next(), { value: 5, done: false });
  assert.deepEqual(it.takeBuffered(), []);
  assert.equal((await it.next()).done, true);
});

test('return() ends the source so its cleanup runs', async () => {
  let cleaned = false;
  async function* source(): AsyncGenerator<number[]> {
    try {
      yield await Promise.resolve([1, 2]);
      yield [3];
    } finally {
      cleaned = true;
    }
  }
  for await (const n of flattenBatches(source())) if (n === 1) break;
  assert.equal(cleaned, true);
});

test('a plain async iterator is not a buffered one', () => {
  assert.equal(isBufferedIterator(batches()), false);
});
