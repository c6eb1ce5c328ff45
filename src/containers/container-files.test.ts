import assert from 'node:assert/strict';
import { test } from 'node:test';

import { diffIgnoredPaths } from './container-layer.js';

test('diff leaves out the engine’s files and every mount target of the container', () => {
  assert.deepEqual(
    diffIgnoredPaths({
      Binds: ['/srv/data:/data:ro', 'named:/var/lib/db', 'broken'],
      Mounts: [{ Type: 'volume', Source: 'v', Target: '/cache' }, { Type: 'tmpfs' }],
      Tmpfs: { '/run': 'size=1m' },
    }),
    [
      '/dev',
      '/proc',
      '/sys',
      '/etc/hosts',
      '/etc/hostname',
      '/etc/resolv.conf',
      '/data',
      '/var/lib/db',
      '/cache',
      '/run',
    ],
  );
  assert.equal(diffIgnoredPaths({}).length, 6);
});
