import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  goDuration,
  goTimeString,
  humanDuration,
  rfc3339,
  rfc3339FixedNanos,
  timeAgo,
} from './human-time.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration follows go-units HumanDuration', () => {
  const cases: [number, string][] = [
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [S, '1 second'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [47 * H, '47 hours'],
    [48 * H, '2 days'],
    [13 * D, '13 days'],
    [14 * D, '2 weeks'],
    [59 * D, '8 weeks'],
    [60 * D, '2 months'],
    [729 * D, '24 months'],
    [730 * D, '2 years'],
    [3 * 365 * D, '3 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms}ms`);
});

test('timeAgo adds " ago" to the time since a Unix timestamp', () => {
  const now = Date.UTC(2024, 0, 1, 12);
  assert.equal(timeAgo(now / 1000 - 2 * 3600, now), '2 hours ago');
  assert.equal(timeAgo(now / 1000, now), 'Less than a second ago');
});

test(
  'Go time formats in the local zone (UTC here)',
  { skip: new Date().getTimezoneOffset() !== 0 && 'TZ is not UTC' },
  () => {
    const t = Date.UTC(2024, 4, 1, 12, 3, 4) / 1000;
    assert.equal(goTimeString(t), '2024-05-01 12:03:04 +0000 UTC');
    assert.equal(rfc3339(t), '2024-05-01T12:03:04Z');
    assert.equal(
      rfc3339FixedNanos(BigInt(t) * 1_000_000_000n + 5n),
      '2024-05-01T12:03:04.000000005Z',
    );
  },
);

test('goDuration prints Go Duration strings rounded to seconds', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(4_600), '5s');
  assert.equal(goDuration(65 * S), '1m5s');
  assert.equal(goDuration(2 * H + 3 * S), '2h0m3s');
});
