import assert from 'node:assert/strict';
import { test } from 'node:test';

import { goDuration, humanDuration } from './human-duration.js';

test('humanDuration words durations as go-units does, at each boundary', () => {
  const s = 1000;
  const h = 3600 * s;
  const cases: Array<[number, string]> = [
    [-5 * s, 'Less than a second'],
    [999, 'Less than a second'],
    [s, '1 second'],
    [59 * s, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [120 * s, '2 minutes'],
    [59 * 60 * s, '59 minutes'],
    [h, 'About an hour'],
    [h + 29 * 60 * s, 'About an hour'],
    [h + 30 * 60 * s, '2 hours'],
    [47 * h, '47 hours'],
    [48 * h, '2 days'],
    [14 * 24 * h, '2 weeks'],
    [60 * 24 * h, '2 months'],
    [2 * 365 * 24 * h, '2 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`);
});

test('goDuration prints durations as Go does', () => {
  assert.equal(goDuration(200), '200ms');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(90_000), '1m30s');
  assert.equal(goDuration(2 * 3600_000), '2h0m0s');
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(0.5), '500µs');
});
