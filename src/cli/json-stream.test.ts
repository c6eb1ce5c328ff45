import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';

import { JsonMessageError, displayJsonMessages, formatProgress } from './json-stream.js';

function capture(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { out, text: () => text };
}

function lines(...messages: unknown[]): Readable {
  return Readable.from(messages.map((m) => Buffer.from(JSON.stringify(m) + '\r\n')));
}

test('formatProgress draws docker bars and byte counts', () => {
  assert.equal(formatProgress({}, 200), '');
  assert.equal(formatProgress({ current: 1500 }, 200), '   1.5kB');
  assert.equal(
    formatProgress({ current: 12_300_000, total: 45_600_000 }, 200),
    `[=============>${' '.repeat(37)}]   12.3MB/45.6MB`,
  );
  assert.equal(formatProgress({ current: 50, total: 100 }, 80), '     50B/100B');
  assert.equal(formatProgress({ current: 200, total: 100 }, 80), '    200B');
  assert.equal(formatProgress({ current: 3, total: 10, units: 'layers' }, 80), '3/10 layers');
  const now = 1_000_000_000;
  assert.equal(
    formatProgress({ current: 25, total: 100, start: now / 1000 - 10 }, 80, now),
    '     25B/100B 30s',
  );
});

test('off a terminal: plain lines, progress updates dropped, stream text raw', async () => {
  const { out, text } = capture();
  const aux: unknown[] = [];
  await displayJsonMessages(
    lines(
      { status: 'Loading layer', progressDetail: {}, id: 'abc123' },
      { status: 'Loading layer', progressDetail: { current: 5, total: 10 }, id: 'abc123' },
      { stream: 'Loaded image: busybox:latest\n' },
      { aux: { ID: 'sha256:1234' } },
      { status: 'sha256:feed' },
    ),
    { out, onAux: (a) => aux.push(a) },
  );
  assert.equal(text(), 'abc123: Loading layer\nLoaded image: busybox:latest\nsha256:feed\n');
  assert.deepEqual(aux, [{ ID: 'sha256:1234' }]);
});

test('on a terminal: one line per id, rewritten in place', async () => {
  const { out, text } = capture();
  await displayJsonMessages(
    lines(
      { status: 'Loading layer', progressDetail: { current: 0, total: 100 }, id: 'a' },
      { status: 'Loading layer', progressDetail: { current: 0, total: 100 }, id: 'b' },
      { status: 'Loading layer', progressDetail: { current: 100, total: 100 }, id: 'a' },
      { stream: 'Loaded image: x:1\n' },
    ),
    { out, isTerminal: true, width: 80 },
  );
  const bar = (n: number) => `${String(n) + 'B'}`.padStart(8) + '/100B';
  assert.equal(
    text(),
    '\n\x1b[1A\x1b[2K\ra: Loading layer ' +
      bar(0) +
      '\r\x1b[1B' +
      '\n\x1b[1A\x1b[2K\rb: Loading layer ' +
      bar(0) +
      '\r\x1b[1B' +
      '\x1b[2A\x1b[2K\ra: Loading layer ' +
      bar(100) +
      '\r\x1b[2B' +
      'Loaded image: x:1\n',
  );
});

test('an error message ends the display with its text', async () => {
  const { out, text } = capture();
  await assert.rejects(
    displayJsonMessages(
      lines(
        { status: 'Importing' },
        {
          errorDetail: { message: 'archive/tar: invalid tar header' },
          error: 'archive/tar: invalid tar header',
        },
        { status: 'never shown' },
      ),
      { out },
    ),
    (err: unknown) =>
      err instanceof JsonMessageError && err.message === 'archive/tar: invalid tar header',
  );
  assert.equal(text(), 'Importing\n');
});

test('messages split across chunks and packed together decode', async () => {
  const { out, text } = capture();
  const all = '{"status":"one"}{"status":"t\\"w\\u00e9o {"}\n{"status":"th';
  await displayJsonMessages(Readable.from([Buffer.from(all), Buffer.from('ree"}\n')]), { out });
  assert.equal(text(), 'one\nt"wéo {\nthree\n');
  await assert.rejects(
    displayJsonMessages(Readable.from([Buffer.from('{"status":')]), { out }),
    /unexpected EOF/,
  );
});
