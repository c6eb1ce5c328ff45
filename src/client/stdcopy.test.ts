import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { test } from 'node:test';

import {
  STREAM_STDERR,
  STREAM_STDIN,
  STREAM_STDOUT,
  STREAM_SYSTEMERR,
  createFrameParser,
  encodeFrame,
  stdCopy,
} from './stdcopy.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

function chunks(...parts: Buffer[]): AsyncIterable<Buffer> {
  return Readable.from(parts);
}

test('encodeFrame writes the 8-byte header: stream, three zeros, big-endian length', () => {
  const frame = encodeFrame(STREAM_STDERR, Buffer.from('hi'));
  assert.deepEqual([...frame.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 2]);
  assert.equal(frame.subarray(8).toString(), 'hi');
});

test('the parser completes frames split at any byte', () => {
  const bytes = Buffer.concat([
    encodeFrame(STREAM_STDOUT, Buffer.from('hello ')),
    encodeFrame(STREAM_STDERR, Buffer.from('oops')),
    encodeFrame(STREAM_STDOUT, Buffer.alloc(0)),
    encodeFrame(STREAM_STDOUT, Buffer.from('world')),
  ]);
  for (let step = 1; step <= bytes.length; step++) {
    const parser = createFrameParser();
    const frames = [];
    for (let i = 0; i < bytes.length; i += step)
      frames.push(...parser.push(bytes.subarray(i, i + step)));
    assert.deepEqual(
      frames.map((f) => [f.stream, f.payload.toString()]),
      [
        [1, 'hello '],
        [2, 'oops'],
        [1, ''],
        [1, 'world'],
      ],
      `step ${step}`,
    );
    assert.equal(parser.pending(), 0);
  }
});

test('the parser holds back an incomplete frame', () => {
  const parser = createFrameParser();
  const frame = encodeFrame(STREAM_STDOUT, Buffer.from('abcdef'));
  assert.deepEqual(parser.push(frame.subarray(0, 10)), []);
  assert.equal(parser.pending(), 10);
});

test('stdCopy sends stdout and stdin frames to stdout, stderr frames to stderr', async () => {
  const out = collector();
  const err = collector();
  const written = await stdCopy(
    chunks(
      encodeFrame(STREAM_STDOUT, Buffer.from('a')),
      encodeFrame(STREAM_STDERR, Buffer.from('b')),
      encodeFrame(STREAM_STDIN, Buffer.from('c')),
    ),
    out.stream,
    err.stream,
  );
  assert.equal(out.text(), 'ac');
  assert.equal(err.text(), 'b');
  assert.equal(written, 3);
});

test('stdCopy drops frames for a writer not given', async () => {
  const err = collector();
  await stdCopy(
    chunks(
      encodeFrame(STREAM_STDOUT, Buffer.from('a')),
      encodeFrame(STREAM_STDERR, Buffer.from('b')),
    ),
    undefined,
    err.stream,
  );
  assert.equal(err.text(), 'b');
});

test('stdCopy ends quietly inside a truncated frame, as docker does', async () => {
  const out = collector();
  const frame = encodeFrame(STREAM_STDOUT, Buffer.from('whole'));
  await stdCopy(chunks(frame, frame.subarray(0, 9)), out.stream, undefined);
  assert.equal(out.text(), 'whole');
});

test('stdCopy throws on a daemon error frame and on an unknown stream', async () => {
  await assert.rejects(
    stdCopy(chunks(encodeFrame(STREAM_SYSTEMERR, Buffer.from('disk full'))), undefined, undefined),
    { message: 'error from daemon in stream: disk full' },
  );
  await assert.rejects(stdCopy(chunks(encodeFrame(7, Buffer.from('x'))), undefined, undefined), {
    message: 'Unrecognized input header: 7',
  });
});

test('stdCopy waits for a writer that is behind', async () => {
  const slow = new PassThrough({ highWaterMark: 4 });
  const big = Buffer.alloc(64 * 1024, 'x');
  const copying = stdCopy(chunks(encodeFrame(STREAM_STDOUT, big)), slow, undefined);
  let received = 0;
  for await (const chunk of slow) {
    received += (chunk as Buffer).length;
    if (received === big.length) break;
  }
  assert.equal(await copying, big.length);
});
