import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';

import { makeSpecialFile, setXattrs } from '../sys/index.js';
import { NeedsMountedRootfs, layeredRootfsReader, mountedRootfsReader } from './rootfs-reader.js';

const isRoot = process.getuid?.() === 0;
let base: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'rootfs-reader-test-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function file(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

test(
  'the layered view: the writable layer over the image, whiteouts and opaque dirs hide',
  { skip: !isRoot && 'needs root (whiteouts)' },
  async () => {
    const upper = join(base, 'layers/upper');
    const image = join(base, 'layers/image');
    await file(join(image, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await file(join(image, 'etc/group'), 'root:x:0:\n');
    await file(join(image, 'srv/old.txt'), 'old\n');
    await file(join(image, 'bin/sh'), '#!\n');
    await file(join(upper, 'etc/passwd'), 'root:x:0:0:root:/home/root:/bin/sh\n');
    await mkdir(join(upper, 'srv'), { recursive: true });
    await setXattrs([
      { path: join(upper, 'srv'), attrs: new Map([['trusted.overlay.opaque', Buffer.from('y')]]) },
    ]);
    await makeSpecialFile(join(upper, 'etc/group'), { type: 'char', major: 0, minor: 0 });
    const view = layeredRootfsReader([upper, image]);
    assert.equal(await view.readFile('/etc/passwd'), 'root:x:0:0:root:/home/root:/bin/sh\n');
    assert.equal(await view.readFile('/etc/group'), '', 'a whiteout hides the image file');
    assert.equal(await view.readFile('/srv/old.txt'), '', 'an opaque dir hides the image dir');
    assert.equal(await view.readFile('/etc/shadow'), '');
    assert.equal(await view.kind('/srv'), 'directory');
    assert.equal(await view.kind('/bin/sh'), 'other');
    assert.equal(await view.kind('/bin/sh/x'), undefined);
    assert.equal(await view.kind('/nowhere'), undefined);
  },
);

test('the layered view hands paths through symlinks to a mounted reader', async () => {
  const image = join(base, 'links/image');
  await file(join(image, 'real/passwd'), 'root:x:0:0::/:/bin/sh\n');
  await symlink('real', join(image, 'etc'));
  const view = layeredRootfsReader([image]);
  await assert.rejects(view.readFile('/etc/passwd'), NeedsMountedRootfs);
  // A mounted tree follows the link inside the root, as the container would.
  assert.equal(await mountedRootfsReader(image).readFile('/etc/passwd'), 'root:x:0:0::/:/bin/sh\n');
  await symlink('/real/passwd', join(image, 'abs-link'));
  assert.equal(await mountedRootfsReader(image).readFile('/abs-link'), 'root:x:0:0::/:/bin/sh\n');
  assert.equal(await mountedRootfsReader(image).kind('/real'), 'directory');
});
