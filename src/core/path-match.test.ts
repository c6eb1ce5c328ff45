import assert from 'node:assert/strict';
import { test } from 'node:test';

import { pathMatch } from './path-match.js';

test('Go path.Match semantics', () => {
  assert.ok(pathMatch('busybox', 'busybox'));
  assert.ok(pathMatch('busy*', 'busybox'));
  assert.ok(!pathMatch('*', 'team/app'));
  assert.ok(pathMatch('*/*', 'team/app'));
  assert.ok(pathMatch('busybox:*', 'busybox:latest'));
  assert.ok(pathMatch('b?sybox', 'busybox'));
  assert.ok(pathMatch('[a-c]usybox', 'busybox'));
  assert.ok(!pathMatch('[^b]usybox', 'busybox'));
  assert.ok(!pathMatch('busybox', 'busybox:latest'));
});
