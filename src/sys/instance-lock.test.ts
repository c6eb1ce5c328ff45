import assert from 'node:assert/strict';
import { test } from 'node:test';

import { acquireInstanceLock } from './instance-lock.js';

test('an instance lock admits one holder and reports its pid to others', async () => {
  const name = `/tmp/instance-lock-test-${process.pid}-${Date.now()}`;
  const first = await acquireInstanceLock(name);
  assert.ok(first.ok);
  const second = await acquireInstanceLock(name);
  assert.deepEqual(second, { ok: false, holder: String(process.pid) });
  await first.lock.release();
  const third = await acquireInstanceLock(name);
  assert.ok(third.ok);
  await third.lock.release();
});
