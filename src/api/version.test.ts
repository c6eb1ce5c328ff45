import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compareApiVersions, splitVersionedPath } from './version.js';

test('compareApiVersions orders numerically, not lexically', () => {
  assert.equal(compareApiVersions('1.9', '1.10'), -1);
  assert.equal(compareApiVersions('1.51', '1.51'), 0);
  assert.equal(compareApiVersions('2.0', '1.99'), 1);
});

test('splitVersionedPath strips a supported prefix', () => {
  assert.deepEqual(splitVersionedPath('/v1.41/containers/json'), {
    version: '1.41',
    path: '/containers/json',
  });
  assert.deepEqual(splitVersionedPath('/v1.24/_ping'), { version: '1.24', path: '/_ping' });
  assert.deepEqual(splitVersionedPath('/v1.51/info'), { version: '1.51', path: '/info' });
});

test('splitVersionedPath serves unversioned paths at the current version', () => {
  assert.deepEqual(splitVersionedPath('/info'), { version: '1.51', path: '/info' });
});

test('splitVersionedPath rejects versions out of range with Docker messages', () => {
  assert.throws(() => splitVersionedPath('/v1.23/info'), {
    message:
      'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
  });
  assert.throws(() => splitVersionedPath('/v1.52/info'), {
    message: 'client version 1.52 is too new. Maximum supported API version is 1.51',
  });
});
