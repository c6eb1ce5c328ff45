import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';

import { makeRaw } from './raw-terminal.js';

/** A stand-in for process.stdin on a terminal: records what is done to it. */
function fakeTty(calls: string[]): Readable {
  const stream = new Readable({ read: () => undefined });
  return Object.assign(stream, {
    isTTY: true,
    fd: 7,
    setRawMode: (raw: boolean) => calls.push(`raw ${raw}`),
  });
}

test('a terminal goes raw, output processing off on its fd, and is restored once', () => {
  const calls: string[] = [];
  const restore = makeRaw(fakeTty(calls), (fd) => calls.push(`opost off ${fd}`));
  assert.deepEqual(calls, ['raw true', 'opost off 7']);
  restore();
  restore();
  assert.deepEqual(calls, ['raw true', 'opost off 7', 'raw false']);
});

test('a pipe or no input is left alone', () => {
  const calls: string[] = [];
  const pipe = new Readable({ read: () => undefined });
  makeRaw(pipe, () => calls.push('opost'))();
  makeRaw(undefined, () => calls.push('opost'))();
  assert.deepEqual(calls, []);
});
