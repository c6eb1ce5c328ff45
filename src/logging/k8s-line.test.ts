import assert from 'node:assert/strict';
import { test } from 'node:test';

import { k8sEntries, parseK8sLine } from './k8s-line.js';
import { goRfc3339Nano, normalizeTime, secondsToTime, timeToUnixNanos } from './log-time.js';

const line = (s: string) => Buffer.from(s, 'latin1');

test('parses a full and a partial record', () => {
  const full = parseK8sLine(line('2026-11-22T19:57:25.279812000+00:00 stdout F hello world'));
  assert.deepEqual(full, {
    time: '2026-11-22T19:57:25.279812000Z',
    stream: 'stdout',
    partial: false,
    content: Buffer.from('hello world'),
  });
  const partial = parseK8sLine(line('2026-11-22T19:57:25.279812000Z stderr P  two  spaces '));
  assert.equal(partial?.stream, 'stderr');
  assert.equal(partial?.partial, true);
  assert.equal(partial?.content.toString(), ' two  spaces ');
});

test('empty content, with or without the separating space', () => {
  assert.equal(parseK8sLine(line('2026-11-22T19:57:25Z stdout F '))?.content.length, 0);
  assert.equal(parseK8sLine(line('2026-11-22T19:57:25Z stdout F'))?.content.length, 0);
});

test('CRI tags after a colon are accepted; the content starts after the tag field', () => {
  const parsed = parseK8sLine(line('2026-11-22T19:57:25Z stdout P:extra data'));
  assert.equal(parsed?.partial, true);
  assert.equal(parsed?.content.toString(), 'data');
});

test('content keeps arbitrary bytes (no decoding)', () => {
  const raw = Buffer.concat([line('2026-11-22T19:57:25Z stdout F '), Buffer.from([0xff, 0, 0x1b])]);
  assert.deepEqual(parseK8sLine(raw)?.content, Buffer.from([0xff, 0, 0x1b]));
});

test('malformed records are refused', () => {
  for (const bad of [
    '',
    'garbage',
    '2026-11-22T19:57:25Z stdin F x',
    '2026-11-22T19:57:25Z stdout X x',
    '2026-11-22T19:57:25Z stdout FF x',
    '2026-11-22T19:57:25Z  stdout F x',
    'not-a-time stdout F x',
    '2026-13-22T19:57:25Z stdout F x',
    '2026-11-22T19:57:25 stdout F x',
    '2026-11-22T19:57:25.Z stdout F x',
    '2026-11-22T19:57:25+0100 stdout F x',
    '2026-11-22 19:57:25Z stdout F x',
  ]) {
    assert.equal(parseK8sLine(line(bad)), undefined, bad);
  }
});

test('times: offsets are converted to UTC and fractions padded to nine digits', () => {
  assert.equal(normalizeTime('2026-11-22T19:57:25.2798+01:00'), '2026-11-22T18:57:25.279800000Z');
  assert.equal(normalizeTime('2026-11-22T23:30:00-05:30'), '2026-11-23T05:00:00.000000000Z');
  assert.equal(normalizeTime('2026-01-01T00:10:00.5+02:00'), '2025-12-31T22:10:00.500000000Z');
  assert.equal(normalizeTime('2026-11-22T19:57:25Z'), '2026-11-22T19:57:25.000000000Z');
  assert.equal(
    normalizeTime('2026-11-22T19:57:25.123456789123Z'),
    '2026-11-22T19:57:25.123456789Z',
  );
  assert.equal(
    normalizeTime('2026-11-22T19:57:25.000000001-00:00'),
    '2026-11-22T19:57:25.000000001Z',
  );
  assert.equal(normalizeTime('2026-11-22T19:57:25.12345678xZ'), undefined);
});

test('time conversions for drivers and the API', () => {
  assert.equal(goRfc3339Nano('2026-11-22T12:47:34.485480612Z'), '2026-11-22T12:47:34.485480612Z');
  assert.equal(goRfc3339Nano('2026-11-22T12:47:34.480000000Z'), '2026-11-22T12:47:34.48Z');
  assert.equal(goRfc3339Nano('2026-11-22T12:47:34.000000000Z'), '2026-11-22T12:47:34Z');
  assert.equal(timeToUnixNanos('1970-01-01T00:00:01.000000002Z'), 1_000_000_002n);
  assert.equal(secondsToTime(1.5), '1970-01-01T00:00:01.500000000Z');
  assert.equal(secondsToTime(1_795_000_000.25), '2026-11-18T11:06:40.250000000Z');
});

test('k8sEntries: full lines keep their newline without a copy; a final record is flushed', () => {
  const data = line(
    '2026-11-22T19:57:25Z stdout P abc\n' +
      'junk\n' +
      '2026-11-22T19:57:26Z stdout F def\n' +
      '2026-11-22T19:57:27Z stderr F last',
  );
  const entries = k8sEntries(data, 0, data.length);
  assert.deepEqual(
    entries.map((e) => [e.stream, e.line.toString(), e.partial]),
    [
      ['stdout', 'abc', true],
      ['stdout', 'def\n', false],
      ['stderr', 'last\n', false],
    ],
  );
  assert.equal(entries[1]?.line.buffer, data.buffer);
});
