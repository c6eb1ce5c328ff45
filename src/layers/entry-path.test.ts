import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { ancestorPaths, cleanEntryPath, entryRole, isWithin, parentPath } from './entry-path.js';

describe('cleanEntryPath', () => {
  test('strips leading slashes and ./, drops empty and . segments', () => {
    assert.equal(cleanEntryPath('./usr/bin/'), 'usr/bin');
    assert.equal(cleanEntryPath('/etc//passwd'), 'etc/passwd');
    assert.equal(cleanEntryPath('././a/./b'), 'a/b');
    assert.equal(cleanEntryPath('./'), '');
    assert.equal(cleanEntryPath('/'), '');
  });

  test('resolves .. that stays inside the layer', () => {
    assert.equal(cleanEntryPath('a/b/../c'), 'a/c');
    assert.equal(cleanEntryPath('a/..'), '');
  });

  test('refuses paths that leave the layer root', () => {
    for (const name of ['../etc/passwd', '/../x', 'a/../../x', './..']) {
      assert.throws(
        () => cleanEntryPath(name),
        (err: unknown) =>
          isMoorError(err, 'InvalidArgument') &&
          err.message === `invalid tar: path "${name}" escapes the layer root`,
      );
    }
  });
});

describe('path helpers', () => {
  test('parentPath, ancestorPaths, isWithin', () => {
    assert.equal(parentPath('a/b/c'), 'a/b');
    assert.equal(parentPath('a'), '');
    assert.deepEqual(ancestorPaths('a/b/c'), ['a', 'a/b']);
    assert.deepEqual(ancestorPaths('a'), []);
    assert.ok(isWithin('a/b', 'a'));
    assert.ok(isWithin('a', 'a'));
    assert.ok(!isWithin('ab', 'a'));
    assert.ok(isWithin('x', ''));
  });
});

describe('entryRole', () => {
  test('plain entries', () => {
    assert.deepEqual(entryRole('etc/passwd'), { kind: 'plain' });
    assert.deepEqual(entryRole('.whatever'), { kind: 'plain' });
    assert.deepEqual(entryRole(''), { kind: 'plain' });
  });

  test('whiteouts name their target', () => {
    assert.deepEqual(entryRole('etc/.wh.passwd'), { kind: 'whiteout', target: 'etc/passwd' });
    assert.deepEqual(entryRole('.wh.tmp'), { kind: 'whiteout', target: 'tmp' });
  });

  test('opaque markers name their directory', () => {
    assert.deepEqual(entryRole('var/cache/.wh..wh..opq'), { kind: 'opaque', dir: 'var/cache' });
    assert.deepEqual(entryRole('.wh..wh..opq'), { kind: 'opaque', dir: '' });
  });

  test('AUFS metadata is recognised', () => {
    assert.deepEqual(entryRole('.wh..wh.plnk'), { kind: 'aufs-meta' });
    assert.deepEqual(entryRole('.wh..wh.plnk/1234.5'), { kind: 'aufs-meta' });
    assert.deepEqual(entryRole('.wh..wh.aufs'), { kind: 'aufs-meta' });
  });

  test('a whiteout without a name is invalid', () => {
    assert.throws(
      () => entryRole('a/.wh.'),
      (err: unknown) => isMoorError(err, 'InvalidArgument'),
    );
    assert.throws(
      () => entryRole('a/.wh...'),
      (err: unknown) => isMoorError(err, 'InvalidArgument'),
    );
  });
});
