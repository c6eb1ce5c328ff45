import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createLayerPaths } from './layer-paths.js';

test('forget drops a path, and with subtree everything under it', () => {
  const paths = createLayerPaths();
  paths.set('a', { kind: 'directory' });
  paths.set('a/b', { kind: 'file', ref: 0 });
  paths.set('a/c/d', { kind: 'file', ref: 1 });
  paths.set('ab', { kind: 'file', ref: 2 });
  assert.deepEqual(
    paths
      .forget('a', true)
      .map(([path]) => path)
      .sort(),
    ['a', 'a/b', 'a/c/d'],
  );
  assert.equal(paths.get('a/b'), undefined);
  assert.deepEqual(paths.get('ab'), { kind: 'file', ref: 2 });
});

test('forget without subtree leaves descendants', () => {
  const paths = createLayerPaths();
  paths.set('x', { kind: 'symlink' });
  paths.set('y/z', { kind: 'file' });
  assert.deepEqual(paths.forget('x', false), [['x', { kind: 'symlink' }]]);
  assert.deepEqual(paths.forget('y', true), [['y/z', { kind: 'file' }]]);
  assert.deepEqual([...paths.entries()], []);
});
