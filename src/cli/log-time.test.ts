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

test("times without a zone are in the zone offset of now, as docker's FixedZone", () => {
  const east2 = 2 * 3600;
  assert.equal(
    logTimestamp('2024-01-01T12:30:00', NOW, east2),
    `${Date.UTC(2024, 0, 1, 10, 30) / 1000}.000000000`,
  );
  assert.equal(
    logTimestamp('2024-01-01T12:30', NOW, east2),
    `${Date.UTC(2024, 0, 1, 10, 30) / 1000}.000000000`,
  );
  assert.equal(
    logTimestamp('2024-01-01T12', NOW, 0),
    `${Date.UTC(2024, 0, 1, 12) / 1000}.000000000`,
  );
  assert.equal(
    logTimestamp('2024-01-01', NOW, -3600),
    `${Date.UTC(2024, 0, 1, 1) / 1000}.000000000`,
  );
  assert.equal(logTimestamp('2024-01-01T00:00:00.000000001', NOW, 0), '1704067200.000000001');
  // Go takes a fraction the layout does not name, and at most nine digits of one.
  assert.equal(logTimestamp('2024-01-01T00:00:00,25', NOW, 0), '1704067200.250000000');
  assert.equal(logTimestamp('2024-01-01T00:00:00.1234567891Z', NOW), '1704067200.123456789');
});

test('a Unix timestamp is sent as given; anything else is an error', () => {
  assert.equal(logTimestamp('1700000000', NOW), '1700000000');
  assert.equal(logTimestamp('1700000000.5', NOW), '1700000000.5');
  assert.equal(logTimestamp('0', NOW), '0');
  assert.throws(() => logTimestamp('yesterday', NOW), {
    message: 'failed to parse value as time or duration: "yesterday"',
  });
  assert.throws(() => logTimestamp('1700000000.', NOW), {
    message: 'failed to parse value as time or duration: "1700000000."',
  });
});

test('text with a dash gets Go time.Parse errors, as docker prints them', () => {
  const cases: [string, string][] = [
    ['-1', 'parsing time "-1" as "2006-01-02": cannot parse "-1" as "2006"'],
    ['1h-2', 'parsing time "1h-2" as "2006-01-02": cannot parse "1h-2" as "2006"'],
    [
      '2024-01-01Tfoo',
      'parsing time "2024-01-01Tfoo" as "2006-01-02T15": cannot parse "foo" as "15"',
    ],
    ['2024-13-01', 'parsing time "2024-13-01": month out of range'],
    ['2024-02-30', 'parsing time "2024-02-30": day out of range'],
    ['2024-01-01T25:00', 'parsing time "2024-01-01T25:00": hour out of range'],
    ['2024-01-01T10:00:00:00', 'parsing time "2024-01-01T10:00:00:00": extra text: ":00"'],
    ['2024/01/01', 'failed to parse value as time or duration: "2024/01/01"'],
    [
      '2024-01-01T10:00:00.5+0100',
      'parsing time "2024-01-01T10:00:00.5+0100" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "+0100" as "Z07:00"',
    ],
    ['2024-1-01', 'parsing time "2024-1-01" as "2006-01-02": cannot parse "1-01" as "01"'],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => logTimestamp(value, NOW, 0), { message }, value);
  }
});
