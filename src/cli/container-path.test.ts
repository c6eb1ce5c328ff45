import assert from 'node:assert/strict';
import { test } from 'node:test';

import { containerPath } from './container-path.js';

test('a container name becomes its API path, trimmed and escaped', () => {
  assert.equal(containerPath('web'), '/containers/web');
  assert.equal(containerPath(' web ', '/json'), '/containers/web/json');
  assert.equal(containerPath('a b?c', '/start'), '/containers/a%20b%3Fc/start');
});

test('an empty name is refused before the daemon is asked, as docker does', () => {
  for (const name of ['', '   ']) {
    assert.throws(() => containerPath(name, '/json'), {
      message: 'invalid container name or ID: value is empty',
    });
  }
});
