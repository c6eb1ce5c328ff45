import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { parseFilterTime, rfc3339Nanos } from './docker-timestamp.js';

const S = 1_000_000_000n;

test('rfc3339Nanos keeps nanoseconds and zones', () => {
  assert.equal(rfc3339Nanos('1970-01-01T00:00:01.000000002Z'), S + 2n);
  assert.equal(rfc3339Nanos('1970-01-01T01:00:01.5+01:00'), S + 500_000_000n);
  assert.equal(rfc3339Nanos('1970-01-01T00:00:01Z'), S);
  assert.equal(rfc3339Nanos('0001-01-01T00:00:00Z'), -62135596800n * S);
});

test('parseFilterTime reads durations, dates and Unix timestamps as Docker does', () => {
  const now = Date.parse('2026-05-01T12:00:00.750Z');
  const unix = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
  const cases: Array<[string, bigint]> = [
    ['10m', unix('2026-05-01T11:50:00Z')], // whole seconds, as Docker keeps
    ['1h30m', unix('2026-05-01T10:30:00Z')],
    ['-1h', unix('2026-05-01T13:00:00Z')],
    ['0', 0n],
    ['1700000000', 1_700_000_000n * S],
    ['1700000000.25', 1_700_000_000n * S + 250_000_000n],
    ['2026-01-02T03:04:05Z', unix('2026-01-02T03:04:05Z')],
    ['2026-01-02T03:04:05.123456789Z', unix('2026-01-02T03:04:05Z') + 123_456_789n],
    ['2026-01-02T03:04:05+02:00', unix('2026-01-02T01:04:05Z')],
    ['2026-01-02T03:04:05-02:00', unix('2026-01-02T05:04:05Z')],
    ['2026-01-02T03:04Z', unix('2026-01-02T03:04:00Z')],
    ['2026-01-02Z', unix('2026-01-02T00:00:00Z')],
  ];
  for (const [value, expected] of cases) {
    assert.equal(parseFilterTime(value, now), expected, value);
  }
  const offset = BigInt(new Date(now).getTimezoneOffset()) * 60n * S;
  assert.equal(parseFilterTime('2026-01-02', now), unix('2026-01-02T00:00:00Z') + offset);
  assert.equal(parseFilterTime('2026-01-02T03', now), unix('2026-01-02T03:00:00Z') + offset);
});

test('parseFilterTime refuses other text with InvalidArgument', () => {
  for (const [value, message] of [
    ['tomorrow', 'failed to parse value as time or duration: "tomorrow"'],
    ['1.2.3', 'failed to parse value as time or duration: "1.2.3"'],
    ['2026-13-01', 'parsing time "2026-13-01": month out of range'],
    ['2026-02-30', 'parsing time "2026-02-30": day out of range'],
    ['2026-1-1', 'parsing time "2026-1-1": not a date or time Docker understands'],
    ['-5', 'parsing time "-5": not a date or time Docker understands'],
  ]) {
    assert.throws(
      () => parseFilterTime(value as string),
      (err) => isMoorError(err, 'InvalidArgument') && err.message === message,
      value,
    );
  }
});
