import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runtimeMessage } from './monitor.js';

test('runtimeMessage takes the msg of a runc logrus line', () => {
  const raw =
    'time="2026-11-22T21:53:04Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuchcmd\\": executable file not found in $PATH"\n';
  assert.equal(
    runtimeMessage(raw),
    'runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH',
  );
});

test('runtimeMessage keeps a plain message and names an empty one', () => {
  assert.equal(runtimeMessage('boom\n'), 'boom');
  assert.equal(runtimeMessage(''), 'unknown runtime error');
});
