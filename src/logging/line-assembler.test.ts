import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HOLD_PARTIAL_MS, MAX_MESSAGE, createLineAssembler } from './line-assembler.js';
import type { LogEntry } from './log-entry.js';

const T0 = Date.parse('2026-11-22T19:57:25Z');

/** A monitor record `ms` milliseconds after T0. */
function record(text: string, ms: number, options: { err?: boolean; partial?: boolean } = {}) {
  const partial = options.partial === true;
  const time = new Date(T0 + ms).toISOString().replace('Z', '000000Z');
  return {
    time,
    stream: options.err === true ? 'stderr' : 'stdout',
    line: Buffer.from(partial ? text : `${text}\n`),
    partial,
  } satisfies LogEntry;
}

const show = (entries: readonly LogEntry[]) =>
  entries.map((e) => [e.stream, e.line.length, e.partial, e.time.slice(17, 23)]);

test('whole short lines pass as they are', () => {
  const records = [record('a', 0), record('b', 1, { err: true })];
  const { entries, cut } = createLineAssembler().assemble(records, { flush: false, now: T0 });
  assert.deepEqual(cut, { index: 2, bytes: 0 });
  assert.deepEqual(entries, records);
});

test("a long line in conmon's 8 KiB pieces becomes Docker's 16 KiB pieces, with one time", () => {
  const a = createLineAssembler();
  const piece = 'x'.repeat(8192);
  const records = [
    record(piece, 0, { partial: true }),
    record(piece, 1, { partial: true }),
    record('y'.repeat(4096), 2),
    record('next', 3),
  ];
  const { entries, cut } = a.assemble(records, { flush: false, now: T0 });
  assert.deepEqual(cut, { index: 4, bytes: 0 });
  assert.deepEqual(show(entries), [
    ['stdout', MAX_MESSAGE, true, '25.000'],
    ['stdout', 4097, false, '25.000'],
    ['stdout', 5, false, '25.003'],
  ]);
  assert.equal(Buffer.concat(entries.slice(0, 2).map((e) => e.line)).length, 20481);
});

test('a line of exactly 16 KiB: a full piece, then its newline alone (as dockerd)', () => {
  const { entries } = createLineAssembler().assemble([record('z'.repeat(MAX_MESSAGE), 0)], {
    flush: false,
    now: T0,
  });
  assert.deepEqual(
    entries.map((e) => [e.line.length, e.partial]),
    [
      [MAX_MESSAGE, true],
      [1, false],
    ],
  );
});

test('an unfinished line is held back, with what follows it, until it ends', () => {
  const a = createLineAssembler();
  const first = [
    record('one', 0),
    record('prompt> ', 1, { partial: true }),
    record('e', 2, { err: true }),
  ];
  const held = a.assemble(first, { flush: false, now: T0 + 10 });
  assert.deepEqual(held.cut, { index: 1, bytes: 0 });
  assert.deepEqual(show(held.entries), [['stdout', 4, false, '25.000']]);
  // Read again from the held record, with the rest of the line.
  const again = [first[1] as LogEntry, first[2] as LogEntry, record('answer', 5)];
  const done = a.assemble(again, { flush: false, now: T0 + 10 });
  assert.deepEqual(done.cut, { index: 3, bytes: 0 });
  assert.deepEqual(show(done.entries), [
    ['stderr', 2, false, '25.002'],
    ['stdout', 15, false, '25.001'],
  ]);
  assert.equal(done.entries[1]?.line.toString(), 'prompt> answer\n');
});

test('held lines are stored when old enough or flushed; their rest keeps their time', () => {
  const a = createLineAssembler();
  const records = [record('prompt> ', 0, { partial: true })];
  assert.deepEqual(a.assemble(records, { flush: false, now: T0 + 1 }).cut, { index: 0, bytes: 0 });
  const old = a.assemble(records, { flush: false, now: T0 + HOLD_PARTIAL_MS });
  assert.deepEqual(old.cut, { index: 1, bytes: 0 });
  assert.deepEqual(show(old.entries), [['stdout', 8, true, '25.000']]);
  const rest = a.assemble([record('yes', 1500)], { flush: false, now: T0 + 1500 });
  assert.deepEqual(show(rest.entries), [['stdout', 4, false, '25.000']]);

  const b = createLineAssembler();
  const flushed = b.assemble([record('bye', 0, { partial: true })], { flush: true, now: T0 });
  assert.deepEqual(show(flushed.entries), [['stdout', 3, true, '25.000']]);
});

test('whole pieces of an unfinished line are stored; the rest is held, inside its record', () => {
  const a = createLineAssembler();
  const second = record('y'.repeat(10_000), 1, { partial: true });
  const records = [record('x'.repeat(10_000), 0, { partial: true }), second];
  const out = a.assemble(records, { flush: false, now: T0 });
  const rest = 20_000 - MAX_MESSAGE;
  assert.deepEqual(out.cut, { index: 1, bytes: 10_000 - rest });
  assert.deepEqual(show(out.entries), [['stdout', MAX_MESSAGE, true, '25.000']]);
  // Read again from the second record, skipping what is stored of it.
  const end = a.assemble([second, record('end', 9)], {
    flush: false,
    now: T0,
    skip: out.cut.bytes,
  });
  assert.deepEqual(end.cut, { index: 2, bytes: 0 });
  assert.deepEqual(show(end.entries), [['stdout', rest + 4, false, '25.000']]);
  assert.equal(end.entries[0]?.line.toString(), `${'y'.repeat(rest)}end\n`);
});

test('a line with just whole pieces so far goes on after its last record', () => {
  const a = createLineAssembler();
  const piece = record('x'.repeat(8192), 0, { partial: true });
  const out = a.assemble([piece, piece], { flush: false, now: T0 });
  assert.deepEqual(out.cut, { index: 2, bytes: 0 });
  assert.deepEqual(show(out.entries), [['stdout', MAX_MESSAGE, true, '25.000']]);
  const end = a.assemble([record('y', 5)], { flush: false, now: T0 });
  assert.deepEqual(show(end.entries), [['stdout', 2, false, '25.000']]);
});

test('streams are assembled apart', () => {
  const a = createLineAssembler();
  const records = [
    record('out-', 0, { partial: true }),
    record('err-', 1, { err: true, partial: true }),
    record('1', 2),
    record('2', 3, { err: true }),
  ];
  const { entries, cut } = a.assemble(records, { flush: false, now: T0 });
  assert.deepEqual(cut, { index: 4, bytes: 0 });
  assert.deepEqual(
    entries.map((e) => [e.stream, e.line.toString(), e.time.slice(17, 23)]),
    [
      ['stdout', 'out-1\n', '25.000'],
      ['stderr', 'err-2\n', '25.001'],
    ],
  );
});
