import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRuncVersion, parseTiniVersion } from './tool-versions.js';

test('runc --version: the version and the commit line', () => {
  const text =
    'runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\n';
  assert.deepEqual(parseRuncVersion(text), {
    version: '1.1.5+ds1',
    commit: '1.1.5+ds1-1+deb12u1',
  });
  assert.deepEqual(parseRuncVersion('runc version 1.2.0\n'), { version: '1.2.0', commit: '' });
  assert.equal(parseRuncVersion('crun version 1.8\n'), undefined);
});

test('tini --version: with and without the git commit', () => {
  assert.deepEqual(parseTiniVersion('tini version 0.19.0 - git.de40ad0\n'), {
    version: '0.19.0',
    commit: 'de40ad0',
  });
  assert.deepEqual(parseTiniVersion('tini version 0.19.0\n'), { version: '0.19.0', commit: '' });
  assert.equal(parseTiniVersion('usage: tini ...\n'), undefined);
});
