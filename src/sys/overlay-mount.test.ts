import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import {
  MAX_MOUNT_DATA,
  mountOverlay,
  overlayMountData,
  overlayVolatileSupported,
  shortOverlayDirs,
} from './overlay-mount.js';

describe('overlay mount data', () => {
  test('lists lower dirs top first, then upper and work dirs', () => {
    assert.equal(
      overlayMountData({ lowerDirs: ['/l/2', '/l/1'], upperDir: '/u', workDir: '/w' }),
      'lowerdir=/l/2:/l/1,upperdir=/u,workdir=/w',
    );
    assert.equal(
      overlayMountData({ lowerDirs: ['/a', '/b'], extraOptions: ['index=off'] }),
      'lowerdir=/a:/b,index=off',
    );
  });

  test('short names keep a 500-layer stack within one page', () => {
    const lowerDirs = Array.from(
      { length: 500 },
      (_, i) => `/var/lib/moor/layers/overlay2/${'f'.repeat(64)}${i}/diff`,
    );
    assert.ok(overlayMountData({ lowerDirs }).length > MAX_MOUNT_DATA);
    const short = shortOverlayDirs({ lowerDirs, upperDir: '/up', workDir: '/work' });
    const data = overlayMountData(short.dirs);
    assert.ok(data.length <= MAX_MOUNT_DATA, `${data.length}`);
    assert.ok(data.startsWith('lowerdir=0:1:2:'));
    assert.ok(data.endsWith(':499,upperdir=u,workdir=w'));
    assert.deepEqual(short.links[0], { name: '0', target: lowerDirs[0] });
    assert.deepEqual(short.links.at(-1), { name: 'w', target: '/work' });
  });
});

test('the volatile option is known from Linux 5.10 on', () => {
  assert.equal(overlayVolatileSupported('6.18.44-fc-v669'), true);
  assert.equal(overlayVolatileSupported('5.10.0-28-amd64'), true);
  assert.equal(overlayVolatileSupported('5.4.0-150-generic'), false);
  assert.equal(overlayVolatileSupported('4.19.0'), false);
  assert.equal(overlayVolatileSupported('unknown'), false);
});

describe('mountOverlay validation (before anything runs)', () => {
  const invalid = (err: unknown) => isMoorError(err, 'InvalidArgument');
  test('refuses bad directory sets', async () => {
    await assert.rejects(mountOverlay({ lowerDirs: [], target: '/mnt' }), invalid);
    await assert.rejects(mountOverlay({ lowerDirs: ['/a'], target: '/mnt' }), invalid);
    await assert.rejects(
      mountOverlay({ lowerDirs: ['/a'], upperDir: '/u', target: '/mnt' }),
      invalid,
    );
    await assert.rejects(mountOverlay({ lowerDirs: ['rel', '/b'], target: '/mnt' }), invalid);
    const tooMany = Array.from({ length: 501 }, (_, i) => `/l${i}`);
    await assert.rejects(mountOverlay({ lowerDirs: tooMany, target: '/mnt' }), invalid);
  });
});
