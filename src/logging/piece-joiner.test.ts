import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { LogEntry } from './log-entry.js';
import { MAX_JOINED_LINE, createPieceJoiner } from './piece-joiner.js';

function entry(text: string, second: number, stream: LogEntry['stream'] = 'stdout'): LogEntry {
  return {
    time: `2026-11-22T19:57:${String(second).padStart(2, '0')}.000000000Z`,
    stream,
    line: Buffer.from(text),
    partial: !text.endsWith('\n'),
  };
}

const show = (entries: readonly LogEntry[]) =>
  entries.map((e) => [e.stream, e.line.toString(), e.partial, e.time.slice(17, 19)]);

test('batches without pieces are returned as they are', () => {
  const batch = [entry('a\n', 1), entry('b\n', 2, 'stderr')];
  assert.equal(createPieceJoiner().push(batch), batch);
});

test('pieces of a line become one entry with the first time, across batches', () => {
  const j = createPieceJoiner();
  assert.deepEqual(show(j.push([entry('a\n', 1), entry('lo', 2)])), [
    ['stdout', 'a\n', false, '01'],
  ]);
  assert.deepEqual(show(j.push([entry('ng', 3), entry('!\n', 4), entry('b\n', 5)])), [
    ['stdout', 'long!\n', false, '02'],
    ['stdout', 'b\n', false, '05'],
  ]);
  assert.deepEqual(j.flush(), []);
});

test('the other stream passes by; flush returns unfinished lines as partial entries', () => {
  const j = createPieceJoiner();
  assert.deepEqual(
    show(j.push([entry('out', 1), entry('err\n', 2, 'stderr'), entry('prompt', 3, 'stderr')])),
    [['stderr', 'err\n', false, '02']],
  );
  assert.deepEqual(show(j.flush()), [
    ['stdout', 'out', true, '01'],
    ['stderr', 'prompt', true, '03'],
  ]);
  assert.deepEqual(show(j.push([entry('put\n', 4)])), [['stdout', 'put\n', false, '04']]);
});

test('joined lines stop growing at MAX_JOINED_LINE', () => {
  const j = createPieceJoiner();
  const piece = 'x'.repeat(16 * 1024);
  const pieces = Array.from({ length: MAX_JOINED_LINE / piece.length + 1 }, (_, i) =>
    entry(piece, i),
  );
  const out = j.push([...pieces, entry('end\n', 59)]);
  assert.deepEqual(
    out.map((e) => [e.line.length, e.partial]),
    [
      [MAX_JOINED_LINE, true],
      [piece.length + 4, false],
    ],
  );
});
