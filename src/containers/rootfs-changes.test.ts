import assert from 'node:assert/strict';
import { lstatSync } from 'node:fs';
import {
  chmod,
  chown,
  lutimes,
  mkdir,
  mkdtemp,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';

import type { FilesystemChange } from '../api-types/index.js';
import { copyTree, makeSpecialFile, setXattrs } from '../sys/index.js';
import { overlayChangeSet, overlayChanges, treeChanges } from './rootfs-changes.js';

let base: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'rootfs-changes-test-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Writes files ('path': content), empty dirs ('path/': null) and whiteouts ('path': 'WH'). */
async function makeTree(dir: string, entries: Record<string, string | null>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(entries)) {
    const target = join(dir, path);
    await mkdir(content === null ? target : dirname(target), { recursive: true });
    if (content === 'WH') await makeSpecialFile(target, { type: 'char', major: 0, minor: 0 });
    else if (content !== null) await writeFile(target, content);
  }
}

async function makeOpaque(dir: string): Promise<void> {
  await setXattrs([{ path: dir, attrs: new Map([['trusted.overlay.opaque', Buffer.from('y')]]) }]);
}

/**
 * Gives `dir` the mode, owner and mtime of `like` (what overlayfs copy-up does); the time is
 * set to a whole second on both, as utimes cannot copy nanoseconds.
 */
async function copyMetadata(dir: string, like: string): Promise<void> {
  const info = lstatSync(like);
  await chmod(dir, info.mode & 0o7777);
  await chown(dir, info.uid, info.gid);
  await utimes(like, 1_700_000_000, 1_700_000_000);
  await utimes(dir, 1_700_000_000, 1_700_000_000);
}

function kinds(changes: FilesystemChange[]): string[] {
  return changes.map((c) => `${'CAD'[c.Kind]} ${c.Path}`);
}

test('overlay: additions, modifications, whiteouts, opaque dirs and copied-up parents', async () => {
  const dir = join(base, 'overlay');
  const bottom = join(dir, 'bottom');
  const top = join(dir, 'top');
  const upper = join(dir, 'upper');
  await makeTree(bottom, {
    'etc/a': 'a',
    'etc/b': 'b',
    'opt/dir/k': 'k',
    'opt/dir/l': 'l',
    'opt/dir/sub/z': 'z',
    'usr/bin/tool': 'tool',
    'var/lib/x': 'x',
    'srv/q': 'q',
  });
  await makeTree(top, { 'etc/c': 'c', 'usr/bin/tool': 'WH', 'srv/p': 'p' });
  await makeOpaque(join(top, 'srv'));
  await makeTree(upper, {
    'etc/a': 'changed',
    'etc/new': 'new',
    'etc/b': 'WH',
    'etc/c': 'WH',
    'etc/hosts': '',
    'opt/dir/l': 'again',
    'opt/dir/m': 'm',
    'opt/dir/sub/y': 'y',
    'usr/bin/tool': 'WH',
    'var/lib/x': 'x2',
    'new/dir/f': 'f',
    'srv/p': 'p2',
    'srv/q': 'WH',
  });
  await makeOpaque(join(upper, 'opt/dir'));
  for (const path of ['usr/bin', 'usr', 'var/lib', 'var']) {
    await copyMetadata(join(upper, path), join(path.startsWith('usr') ? top : bottom, path));
  }

  const changes = await overlayChanges({
    upperDir: upper,
    lowerDirs: [top, bottom],
    ignore: ['/etc/hosts'],
  });
  assert.deepEqual(kinds(changes), [
    'C /etc',
    'C /etc/a',
    'D /etc/b',
    'D /etc/c',
    'A /etc/new',
    'A /new',
    'A /new/dir',
    'A /new/dir/f',
    'C /opt',
    'C /opt/dir',
    'D /opt/dir/k',
    'C /opt/dir/l',
    'A /opt/dir/m',
    'C /opt/dir/sub',
    'A /opt/dir/sub/y',
    'D /opt/dir/sub/z',
    'C /srv',
    'C /srv/p',
    'C /var',
    'C /var/lib',
    'C /var/lib/x',
  ]);
  // A layer of these changes marks the opaque directory instead of listing what it hides.
  const set = await overlayChangeSet({
    upperDir: upper,
    lowerDirs: [top, bottom],
    ignore: ['/etc/hosts'],
  });
  assert.deepEqual(set.changes, changes);
  assert.deepEqual(set.opaqueDirs, ['/opt/dir']);
});

test('overlay: an empty upper dir has no changes, with or without lower layers', async () => {
  const dir = join(base, 'overlay-empty');
  await makeTree(join(dir, 'upper'), {});
  await makeTree(join(dir, 'lower'), { 'etc/a': 'a' });
  assert.deepEqual(
    await overlayChanges({ upperDir: join(dir, 'upper'), lowerDirs: [join(dir, 'lower')] }),
    [],
  );
  await makeTree(join(dir, 'upper'), { 'x/y': 'y' });
  assert.deepEqual(kinds(await overlayChanges({ upperDir: join(dir, 'upper'), lowerDirs: [] })), [
    'A /x',
    'A /x/y',
  ]);
});

test('overlay: a dir holding only ignored mount points is no change, unless re-owned', async () => {
  const dir = join(base, 'overlay-mount-points');
  const lower = join(dir, 'lower');
  const upper = join(dir, 'upper');
  await makeTree(lower, { 'etc/passwd': 'root', 'data/x': 'x' });
  await makeTree(upper, { 'etc/hosts': '', 'etc/hostname': '', 'data/vol/': null });
  await utimes(join(upper, 'etc'), 1_600_000_000, 1_600_000_000);
  const ignore = ['/etc/hosts', '/etc/hostname', '/data/vol'];
  assert.deepEqual(await overlayChanges({ upperDir: upper, lowerDirs: [lower], ignore }), []);
  await chmod(join(upper, 'data'), 0o700);
  await writeFile(join(upper, 'etc/added'), 'a');
  assert.deepEqual(kinds(await overlayChanges({ upperDir: upper, lowerDirs: [lower], ignore })), [
    'C /data',
    'C /etc',
    'A /etc/added',
  ]);
});

test('vfs: two full trees compared by type, size, mode, owner, mtime and link target', async () => {
  const dir = join(base, 'vfs');
  const image = join(dir, 'image');
  const tree = join(dir, 'container');
  await makeTree(image, {
    'a/file1': 'one',
    'a/keep': 'k',
    'gone/x': 'x',
    'gone/y': 'y',
    bin: 'bin',
    'dir-to-file/child': 'c',
    'etc/passwd': 'root',
    'same/f': 'f',
  });
  await symlink('aaa', join(image, 'link'));
  await copyTree(image, tree);

  await writeFile(join(tree, 'a/file1'), 'onee');
  await chmod(join(tree, 'a/keep'), 0o600);
  const linkTime = lstatSync(join(image, 'link')).mtime;
  await rm(join(tree, 'link'));
  await symlink('bbb', join(tree, 'link'));
  await lutimes(join(tree, 'link'), linkTime, linkTime);
  await rm(join(tree, 'gone'), { recursive: true });
  await makeTree(tree, { 'added/sub/f': 'f', 'etc/hostname': 'engine-made' });
  await rm(join(tree, 'bin'));
  await makeTree(tree, { 'bin/x': 'x' });
  await rm(join(tree, 'dir-to-file'), { recursive: true });
  await writeFile(join(tree, 'dir-to-file'), 'now a file');

  const changes = await treeChanges({ tree, base: image, ignore: ['etc/hostname'] });
  assert.deepEqual(kinds(changes), [
    'C /a',
    'C /a/file1',
    'C /a/keep',
    'A /added',
    'A /added/sub',
    'A /added/sub/f',
    'C /bin',
    'A /bin/x',
    'C /dir-to-file',
    'D /gone',
    'C /link',
  ]);
});

test('vfs: identical trees have no changes', async () => {
  const dir = join(base, 'vfs-same');
  await makeTree(join(dir, 'image'), { 'a/b/c': 'c', d: 'd' });
  await copyTree(join(dir, 'image'), join(dir, 'container'));
  assert.deepEqual(
    await treeChanges({ tree: join(dir, 'container'), base: join(dir, 'image') }),
    [],
  );
});
