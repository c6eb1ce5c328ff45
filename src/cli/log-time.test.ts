import assert from 'node:assert/strict';
import { test } from 'node:test';

import { logTimestamp } from './log-time.js';

const NOW = Date.UTC(2024, 0, 1, 0, 10, 0);

test('a duration is taken back from now, in whole seconds', () => {
  assert.equal(logTimestamp('10m', NOW), String(Date.UTC(2024, 0, 1) / 1000));
  assert.equal(logTimestamp('1.5s', NOW), String(NOW / 1000 - 2));
});

test('RFC 3339 times with a zone are sent as seconds.nanoseconds', () => {
  assert.equal(logTimestamp('2024-01-01T00:00:00Z', NOW), '1704067200.000000000');
  assert.equal(logTimestamp('2024-01-01T01:00:00+01:00', NOW), '1704067200.000000000');
  assert.equal(logTimestamp('2024-01-01T00:00:00.5Z', NOW), '1704067200.500000000');
  assert.equal(logTimestamp('2024-01-01T00:00Z', NOW), '1704067200.000000000');
  assert.equal(logTimestamp('2024-01-01Z', NOW), '1704067200.000000000');
});

test('times without a zone are local', () => {
  const local = new Date(2024, 0, 1, 12, 30, 0).getTime() / 1000;
  assert.equal(logTimestamp('2024-01-01T12:30:00', NOW), `${local}.000000000`);
  assert.equal(logTimestamp('2024-01-01T12:30', NOW), `${local}.000000000`);
  assert.equal(
    logTimestamp('2024-01-01', NOW),
    `${new Date(2024, 0, 1).getTime() / 1000}.000000000`,
  );
});

test('a Unix timestamp is sent as given; anything else is an error', () => {
  assert.equal(logTimestamp('1700000000', NOW), '1700000000');
  assert.equal(logTimestamp('1700000000.5', NOW), '1700000000.5');
  assert.equal(logTimestamp('0', NOW), '0');
  assert.throws(() => logTimestamp('yesterday', NOW), {
    message: 'failed to parse value as time or duration: "yesterday"',
  });
});
