import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chainIds, isDigest, parseDigest, sha256Digest, shortId } from './digest.js';

test('sha256Digest and validation', () => {
  const d = sha256Digest('');
  assert.equal(d, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.ok(isDigest(d));
  assert.ok(!isDigest('sha256:E3B0'));
  assert.throws(() => parseDigest('md5:abc'), /unsupported digest algorithm/);
  assert.throws(() => parseDigest('nonsense'), /invalid digest format/);
  assert.equal(shortId(d), 'e3b0c44298fc');
});

test('chain ids follow the OCI definition', () => {
  const a = sha256Digest('a');
  const b = sha256Digest('b');
  const [c1, c2] = chainIds([a, b]);
  assert.equal(c1, a);
  assert.equal(c2, sha256Digest(`${a} ${b}`));
});
