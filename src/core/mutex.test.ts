import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createMutex } from './mutex.js';

test('a mutex runs sections one at a time, in order, past failures', async () => {
  const mutex = createMutex();
  const log: string[] = [];
  const section = (name: string, ms: number, fail = false) =>
    mutex.run(async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([
    section('a', 20),
    section('b', 1, true),
    section('c', 5),
  ]);
  assert.deepEqual(log, ['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  assert.equal(results[1]?.status, 'rejected');
  assert.deepEqual(results[2], { status: 'fulfilled', value: 'c' });
});
