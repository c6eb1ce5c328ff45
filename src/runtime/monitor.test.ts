import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runtimeMessage } from './monitor.js';

test('runtimeMessage takes the msg of runc logrus line, as containerd hands it to dockerd', () => {
  const raw =
    'time="2026-11-22T21:53:04Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuchcmd\\": executable file not found in $PATH"\n';
  assert.equal(
    runtimeMessage(raw),
    'OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown',
  );
});

test('runtimeMessage keeps a plain message and names an empty one', () => {
  assert.equal(runtimeMessage('boom\n'), 'OCI runtime create failed: boom: unknown');
  assert.equal(runtimeMessage(''), 'OCI runtime create failed: unknown runtime error: unknown');
});
