import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytesSize, humanSize } from './units.js';

test('binary sizes as docker info prints them', () => {
  assert.equal(bytesSize(25_200_000_000), '23.47GiB');
  assert.equal(bytesSize(512), '512B');
  assert.equal(bytesSize(1024), '1KiB');
});

test('decimal sizes as docker images prints them', () => {
  assert.equal(humanSize(4_261_000), '4.26MB');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1_500), '1.5kB');
});

test('sizes round as Go does: ties to even, the exponent form past the precision', () => {
  assert.equal(humanSize(12_250), '12.2kB');
  assert.equal(humanSize(999_700), '1e+03kB');
  assert.equal(humanSize(1_234), '1.23kB');
  assert.equal(bytesSize(1_572_864), '1.5MiB');
});
