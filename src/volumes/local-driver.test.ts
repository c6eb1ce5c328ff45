import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { isMountedOn } from '../sys/index.js';
import { createMountCounter, dataMount, mountsData, validateLocalOptions } from './local-driver.js';

test('the local driver’s options, with Docker’s errors', () => {
  validateLocalOptions({});
  validateLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  validateLocalOptions({ size: '0' });
  const refused: Array<[Record<string, string>, string]> = [
    [{ foo: 'bar' }, 'invalid option: "foo"'],
    [{ type: 'tmpfs' }, 'missing required option: "device"'],
    [{ device: '/dev/sdz' }, 'missing required option: "type"'],
    [{ o: 'bind', device: '/srv' }, 'missing required option: "type"'],
    [{ size: '10m' }, 'quota size requested but no quota support'],
  ];
  for (const [options, message] of refused) {
    assert.throws(() => validateLocalOptions(options), { message, kind: 'InvalidArgument' });
  }
  assert.equal(mountsData({}), false);
  assert.equal(mountsData({ type: 'tmpfs', device: 'tmpfs' }), true);
  assert.deepEqual(dataMount({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, '/v/_data'), {
    type: 'tmpfs',
    device: 'tmpfs',
    options: 'size=1m',
    target: '/v/_data',
  });
});

test(
  'mounts are counted per volume, and a failed mount never shows the password',
  { skip: process.getuid?.() !== 0 && 'needs root (mount)' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moor-local-driver-'));
    try {
      const counter = createMountCounter();
      const options = { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' };
      await counter.acquire(options, dir);
      await counter.acquire(options, dir);
      await counter.release(dir);
      assert.equal(await isMountedOn(dir), true, 'still used once');
      await counter.release(dir);
      assert.equal(await isMountedOn(dir), false);
      await assert.rejects(
        counter.acquire({ ...options, o: 'password=s3cret,nosuchoption' }, dir),
        (err: Error) =>
          err.message.startsWith('failed to mount local volume: ') &&
          !err.message.includes('s3cret') &&
          err.message.includes('password=********'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
