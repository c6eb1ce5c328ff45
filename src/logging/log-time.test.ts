import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiTimestampToTime, goRfc3339Nano, normalizeTime } from './log-time.js';

test('since/until as the API gives them: seconds with a decimal fraction, exact', () => {
  assert.equal(apiTimestampToTime('1795377445.279812612'), '2026-11-22T19:57:25.279812612Z');
  assert.equal(apiTimestampToTime('1795377445.5'), '2026-11-22T19:57:25.500000000Z');
  assert.equal(apiTimestampToTime('1795377445'), '2026-11-22T19:57:25.000000000Z');
  assert.equal(apiTimestampToTime('1795377445.2798126129'), '2026-11-22T19:57:25.279812612Z');
  assert.equal(apiTimestampToTime('2026-11-22T20:57:25.1+01:00'), '2026-11-22T19:57:25.100000000Z');
  assert.equal(apiTimestampToTime('yesterday'), undefined);
  assert.equal(apiTimestampToTime('1.2.3'), undefined);
});

test("json-file times are Go's RFC3339Nano: trailing zeros dropped", () => {
  assert.equal(goRfc3339Nano('2026-11-22T12:47:34.485480612Z'), '2026-11-22T12:47:34.485480612Z');
  assert.equal(goRfc3339Nano('2026-11-22T12:47:34.480000000Z'), '2026-11-22T12:47:34.48Z');
  assert.equal(goRfc3339Nano('2026-11-22T12:47:34.000000000Z'), '2026-11-22T12:47:34Z');
  assert.equal(normalizeTime('2026-11-22T12:47:34.48Z'), '2026-11-22T12:47:34.480000000Z');
});
