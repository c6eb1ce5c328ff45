import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ApiError } from '../client/index.js';
import { errorText, isApiStatus } from './error-text.js';

function errno(code: string): Error {
  return Object.assign(new Error(`connect ${code} /run/moor.sock`), { code });
}

test('daemon answers, unreachable daemons and other errors read as docker prints them', () => {
  const host = 'unix:///run/moor.sock';
  assert.equal(
    errorText(new ApiError(404, 'No such container: x'), host),
    'Error response from daemon: No such container: x',
  );
  for (const code of ['ENOENT', 'ECONNREFUSED', 'EACCES']) {
    assert.equal(
      errorText(errno(code), host),
      'Cannot connect to the moor daemon at unix:///run/moor.sock. Is the moor daemon running?',
    );
  }
  // Without the address (a local file error, say) the message stays as it is.
  assert.equal(errorText(errno('ENOENT')), 'connect ENOENT /run/moor.sock');
  assert.equal(errorText(new Error('read escape sequence'), host), 'read escape sequence');
});

test('isApiStatus matches daemon answers by status only', () => {
  assert.equal(isApiStatus(new ApiError(404, 'x'), 404), true);
  assert.equal(isApiStatus(new ApiError(409, 'x'), 404), false);
  assert.equal(isApiStatus(new Error('x'), 404), false);
});
