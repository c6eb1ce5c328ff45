import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatXattrRestore, parseXattrDump, quoteXattrField } from './special-files.js';

test('quoteXattrField octal-escapes everything but plain path characters', () => {
  assert.equal(
    quoteXattrField('usr/lib/x86_64-linux-gnu/libc.so.6'),
    'usr/lib/x86_64-linux-gnu/libc.so.6',
  );
  assert.equal(quoteXattrField('a b\nc\\d=e'), 'a\\040b\\012c\\134d\\075e');
  assert.equal(quoteXattrField('é'), '\\303\\251');
});

test('formatXattrRestore writes one block per file, values in hex', () => {
  const text = formatXattrRestore([
    {
      path: 'a b',
      attrs: new Map([
        ['user.x', Buffer.from([0, 1, 255])],
        ['user.empty', Buffer.alloc(0)],
      ]),
    },
    { path: 'skipped', attrs: new Map() },
    { path: '.', attrs: new Map([['trusted.overlay.opaque', Buffer.from('y')]]) },
  ]);
  assert.equal(
    text,
    '# file: a\\040b\nuser.x=0x0001ff\nuser.empty=0x\n\n# file: .\ntrusted.overlay.opaque=0x79\n',
  );
});

test('parseXattrDump reads getfattr --dump --encoding=hex output', () => {
  const attrs = parseXattrDump(
    '# file: /x/a\\040b\nuser.x=0x0001ff\nuser.empty\nuser.q\\075=0x79\n\n',
  );
  assert.deepEqual(
    [...attrs],
    [
      ['user.x', Buffer.from([0, 1, 255])],
      ['user.empty', Buffer.alloc(0)],
      ['user.q=', Buffer.from('y')],
    ],
  );
});
