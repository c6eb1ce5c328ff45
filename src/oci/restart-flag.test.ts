import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { parseRestartFlag } from './restart-flag.js';

test('parseRestartFlag reads NAME[:COUNT] as the docker CLI does', () => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0],
    ['no', 'no', 0],
    ['always', 'always', 0],
    ['on-failure', 'on-failure', 0],
    ['on-failure:3', 'on-failure', 3],
    ['on-failure:', 'on-failure', 0],
    ['on-failure:+2', 'on-failure', 2],
    ['on-failure:-1', 'on-failure', -1], // the engine refuses it
    ['always:5', 'always', 5], // likewise
    ['foo', 'foo', 0],
  ];
  for (const [text, Name, MaximumRetryCount] of cases) {
    assert.deepEqual(parseRestartFlag(text), { Name, MaximumRetryCount }, text);
  }
});

test('parseRestartFlag refuses a missing name or a count that is not an integer', () => {
  const cases: Array<[string, string]> = [
    [':3', 'invalid restart policy format: no policy provided before colon'],
    [':', 'invalid restart policy format: no policy provided before colon'],
    ['on-failure:x', 'invalid restart policy format: maximum retry count must be an integer'],
    ['on-failure:1.5', 'invalid restart policy format: maximum retry count must be an integer'],
    ['on-failure:3:4', 'invalid restart policy format: maximum retry count must be an integer'],
    [
      'on-failure:9223372036854775808',
      'invalid restart policy format: maximum retry count must be an integer',
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseRestartFlag(text),
      (err) => isMoorError(err, 'InvalidArgument') && err.message === message,
      text,
    );
  }
});
