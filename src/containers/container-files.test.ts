import assert from 'node:assert/strict';
import { test } from 'node:test';

import { diffIgnoredPaths } from './container-layer.js';

test('diff and commit leave out only what the engine places (Docker’s init layer)', () => {
  // The mount points of binds, volumes and tmpfs mounts are the container's changes in
  // Docker (`docker diff` lists them, `docker commit` records them): not left out.
  assert.deepEqual(diffIgnoredPaths(), [
    '/dev',
    '/proc',
    '/sys',
    '/etc/hosts',
    '/etc/hostname',
    '/etc/resolv.conf',
  ]);
});
