import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { containerPathOf, MAX_SYMLINK_HOPS, resolveInRoot } from './rootfs-path.js';

let base: string;
let root: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'rootfs-path-test-'));
  root = join(base, 'rootfs');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'dir', 'sub'), { recursive: true });
  await writeFile(join(root, 'etc', 'passwd'), 'inside');
  // What an escape would reach instead.
  await mkdir(join(base, 'etc'));
  await writeFile(join(base, 'etc', 'passwd'), 'outside');
  const links: Array<[string, string]> = [
    ['abs', '/'],
    ['up', '../../..'],
    ['to-etc', '/etc'],
    ['rel', 'dir/sub'],
    ['escape-file', '../../../../etc/passwd'],
    ['dir/parent', '..'],
    ['dir/sub/deep-up', '../../../../../..'],
    ['chain-a', 'chain-b'],
    ['chain-b', '/dir/chain-c'],
    ['dir/chain-c', '../to-etc'],
    ['loop-1', 'loop-2'],
    ['loop-2', '/loop-1'],
    ['self', 'self'],
    ['dangling', '/nowhere/at/all'],
  ];
  for (const [path, target] of links) await symlink(target, join(root, path));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

const follow = { followLast: true };

test('.. in the path stops at the root', async () => {
  assert.equal(await resolveInRoot(root, '../../etc/passwd', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, '/../../../etc/passwd', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'dir/../../..', follow), root);
  assert.equal(await resolveInRoot(root, '', follow), root);
  assert.equal(await resolveInRoot(root, '/', follow), root);
});

test('a link to / is the rootfs root', async () => {
  assert.equal(await resolveInRoot(root, 'abs/etc/passwd', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'abs', follow), root);
  assert.equal(await resolveInRoot(root, 'abs/abs/abs/..', follow), root);
});

test('relative link targets climbing above the root stop at it', async () => {
  assert.equal(await resolveInRoot(root, 'up/etc/passwd', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'escape-file', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'dir/sub/deep-up/etc', follow), join(root, 'etc'));
  assert.equal(await resolveInRoot(root, 'dir/parent/etc', follow), join(root, 'etc'));
});

test('absolute and relative targets and chains of links', async () => {
  assert.equal(await resolveInRoot(root, 'to-etc/passwd', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'rel', follow), join(root, 'dir/sub'));
  assert.equal(await resolveInRoot(root, 'chain-a/passwd', follow), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'chain-a', follow), join(root, 'etc'));
});

test('followLast: false keeps a link as the last element', async () => {
  const noFollow = { followLast: false };
  assert.equal(await resolveInRoot(root, 'abs', noFollow), join(root, 'abs'));
  assert.equal(await resolveInRoot(root, 'chain-a', noFollow), join(root, 'chain-a'));
  // Links before the last element are still followed.
  assert.equal(await resolveInRoot(root, 'rel/x', noFollow), join(root, 'dir/sub/x'));
  assert.equal(await resolveInRoot(root, 'abs/escape-file', noFollow), join(root, 'escape-file'));
});

test('missing elements are kept, dangling links resolve inside the root', async () => {
  assert.equal(await resolveInRoot(root, 'nope/x/..', follow), join(root, 'nope'));
  assert.equal(await resolveInRoot(root, 'etc/passwd/x', follow), join(root, 'etc/passwd/x'));
  assert.equal(await resolveInRoot(root, 'dangling', follow), join(root, 'nowhere/at/all'));
});

test('link loops fail like ELOOP', async () => {
  for (const path of ['loop-1', 'self', 'loop-2/x']) {
    await assert.rejects(
      resolveInRoot(root, path, follow),
      (err: unknown) =>
        isMoorError(err, 'InvalidArgument') &&
        /too many levels of symbolic links/.test(err.message),
    );
  }
  // Not followed as the last element: no loop.
  assert.equal(await resolveInRoot(root, 'self', { followLast: false }), join(root, 'self'));
});

test(`at most ${MAX_SYMLINK_HOPS} links are followed`, async () => {
  const dir = join(root, 'hops');
  await mkdir(dir);
  await writeFile(join(dir, 'end'), '');
  // l0 → l1 → ... → l255 → end: l1 takes 255 hops, l0 one more.
  await symlink('end', join(dir, `l${MAX_SYMLINK_HOPS}`));
  for (let i = MAX_SYMLINK_HOPS - 1; i >= 0; i--) await symlink(`l${i + 1}`, join(dir, `l${i}`));
  assert.equal(await resolveInRoot(root, 'hops/l1', follow), join(dir, 'end'));
  await assert.rejects(resolveInRoot(root, 'hops/l0', follow), /too many levels/);
});

test('containerPathOf maps host paths back, refusing outside ones', () => {
  assert.equal(containerPathOf(root, root), '/');
  assert.equal(containerPathOf(root, join(root, 'etc/passwd')), '/etc/passwd');
  assert.throws(() => containerPathOf(root, join(base, 'etc')), /not inside/);
});
