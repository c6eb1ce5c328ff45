import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULT_DETACH_KEYS, createEscapeScanner, parseDetachKeys } from './detach-keys.js';

test('parseDetachKeys reads ctrl-<c> and single characters', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [...DEFAULT_DETACH_KEYS]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x'), [1, 120]);
  assert.deepEqual(
    parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'),
    [0, 27, 28, 29, 30, 31],
  );
  assert.deepEqual(parseDetachKeys('CTRL-Z'), [26]);
  assert.throws(() => parseDetachKeys('ctrl-1'), { message: "Unknown character: 'ctrl-1'" });
  assert.throws(() => parseDetachKeys('ab'), { message: "Unknown character: 'ab'" });
});

test('the scanner forwards typed bytes and stops at the sequence', () => {
  const scanner = createEscapeScanner(DEFAULT_DETACH_KEYS);
  assert.deepEqual(scanner.push(Buffer.from('ls\r')), {
    pass: Buffer.from('ls\r'),
    detached: false,
  });
  const end = scanner.push(Buffer.from([0x61, 16, 17, 0x62]));
  assert.deepEqual(end, { pass: Buffer.from('a'), detached: true });
});

test('the scanner holds a partial sequence across chunks and releases it on a mismatch', () => {
  const scanner = createEscapeScanner(DEFAULT_DETACH_KEYS);
  assert.deepEqual(scanner.push(Buffer.from([16])), { pass: Buffer.alloc(0), detached: false });
  assert.deepEqual(scanner.push(Buffer.from('x')), {
    pass: Buffer.from([16, 0x78]),
    detached: false,
  });
  assert.deepEqual(scanner.push(Buffer.from([16])).pass, Buffer.alloc(0));
  assert.equal(scanner.push(Buffer.from([17])).detached, true);
});

test('a repeated first key still starts the sequence', () => {
  const scanner = createEscapeScanner(DEFAULT_DETACH_KEYS);
  const result = scanner.push(Buffer.from([16, 16, 17]));
  assert.deepEqual(result, { pass: Buffer.from([16]), detached: true });
});

test('no keys: nothing detaches', () => {
  const scanner = createEscapeScanner([]);
  assert.deepEqual(scanner.push(Buffer.from([16, 17])), {
    pass: Buffer.from([16, 17]),
    detached: false,
  });
});
