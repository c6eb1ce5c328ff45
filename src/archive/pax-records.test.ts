import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { encodePaxRecords, parsePaxRecords } from './pax-records.js';

test('record lengths count their own digits, across digit boundaries', () => {
  for (let size = 0; size < 1200; size++) {
    const record = { key: 'k', value: Buffer.alloc(size, 'v') };
    const data = encodePaxRecords([record]);
    assert.equal(
      Number(data.toString('latin1', 0, data.indexOf(' '))),
      data.length,
      `size ${size}`,
    );
    assert.deepEqual(parsePaxRecords(data), [record]);
  }
});

test('values are bytes: binary, newlines and UTF-8 survive', () => {
  const records = [
    { key: 'path', value: Buffer.from('grüße/\nname') },
    { key: 'SCHILY.xattr.user.bin', value: Buffer.of(0, 0x0a, 0xff, 0x3d) },
  ];
  assert.deepEqual(parsePaxRecords(encodePaxRecords(records)), records);
});

test('malformed records are invalid arguments', () => {
  for (const bad of ['10 path=abc', '5 a=b\n', 'x path=a\n', '7 path=a\n', '8 =abc\n']) {
    assert.throws(
      () => parsePaxRecords(Buffer.from(bad)),
      (err: unknown) =>
        isMoorError(err, 'InvalidArgument') && /malformed PAX record/.test(err.message),
      bad,
    );
  }
  assert.throws(() => encodePaxRecords([{ key: 'a=b', value: Buffer.alloc(0) }]), /cannot write/);
});
