import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';

import { ByteWriter } from './byte-writer.js';
import type { LogEntry } from './log-entry.js';
import { type LogReadOptions, logPathOf, openLogDriver } from './index.js';
import { ProtoReader, writeNanosVarint } from './proto-wire.js';

const ID = 'beef'.padEnd(64, '1');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `moor-logging-local-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const readOptions = (extra: Partial<LogReadOptions> = {}): LogReadOptions => ({
  stdout: true,
  stderr: true,
  follow: false,
  signal: new AbortController().signal,
  done: Promise.resolve(),
  ...extra,
});

async function all(iterable: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

test('a record is protobuf framed by its big-endian length, without the newline', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({ type: 'local', config: {}, dir, id: ID });
  assert.equal(driver.path, join(dir, 'local-logs', 'container.log'));
  assert.equal(logPathOf('local', dir, ID), driver.path);
  await driver.write([
    {
      time: '1970-01-01T00:00:01.000000002Z',
      stream: 'stdout',
      line: Buffer.from('hi\n'),
      partial: false,
    },
  ]);
  await driver.close();
  const body = [
    [0x0a, 6, ...Buffer.from('stdout')],
    [0x10, 0x82, 0x94, 0xeb, 0xdc, 0x03], // time_nano 1000000002
    [0x1a, 2, ...Buffer.from('hi')],
  ].flat();
  const size = [0, 0, 0, body.length];
  assert.deepEqual(await readFile(driver.path), Buffer.from([...size, ...body, ...size]));
});

test('round trip: streams, times, partial pieces with their metadata (joined), attrs', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'local',
    config: { labels: 'app' },
    dir,
    id: ID,
    container: { labels: { app: 'web' } },
  });
  const written: LogEntry[] = [
    {
      time: '2026-11-22T12:47:34.485480612Z',
      stream: 'stdout',
      line: Buffer.from('one\n'),
      partial: false,
    },
    {
      time: '2026-11-22T12:47:34.500000000Z',
      stream: 'stderr',
      line: Buffer.from('pie'),
      partial: true,
    },
    {
      time: '2026-11-22T12:47:34.600000000Z',
      stream: 'stderr',
      line: Buffer.from('ce'),
      partial: true,
    },
    {
      time: '2026-11-22T12:47:35.000000001Z',
      stream: 'stderr',
      line: Buffer.from('s\n'),
      partial: false,
    },
    {
      time: '1969-12-31T23:59:59.999999999Z',
      stream: 'stdout',
      line: Buffer.from([0, 0xff, 0x0a]),
      partial: false,
    },
    {
      time: '2262-04-11T23:47:16.854775807Z',
      stream: 'stdout',
      line: Buffer.from('max\n'),
      partial: false,
    },
    {
      time: '1970-01-01T00:00:00.000000000Z',
      stream: 'stdout',
      line: Buffer.alloc(0),
      partial: true,
    },
  ];
  await driver.write(written.slice(0, 3));
  await driver.write(written.slice(3));
  await driver.close();
  const back = await all(driver.readLogs(readOptions()));
  // The pieces of a line come back as one entry, with the time of the first.
  const joined = { ...(written[1] as LogEntry), line: Buffer.from('pieces\n'), partial: false };
  assert.deepEqual(
    back.map(({ time, stream, line, partial }) => ({ time, stream, line, partial })),
    [written[0], joined, ...written.slice(4)],
  );
  assert.deepEqual(back[0]?.attrs, { app: 'web' });
});

test('rotation and tail walk the records backwards across files', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'local',
    config: { 'max-size': '300', 'max-file': '4' },
    dir,
    id: ID,
  });
  const entries = Array.from({ length: 40 }, (_, i) => ({
    time: `2026-11-22T12:47:${String(i).padStart(2, '0')}.000000000Z`,
    stream: 'stdout' as const,
    line: Buffer.from(`entry ${i}\n`),
    partial: false,
  }));
  for (const e of entries) await driver.write([e]);
  await driver.close();
  assert.deepEqual((await readdir(join(dir, 'local-logs'))).sort(), [
    'container.log',
    'container.log.1',
    'container.log.2',
    'container.log.3',
  ]);
  const text = async (extra: Partial<LogReadOptions>) =>
    (await all(driver.readLogs(readOptions(extra)))).map((e) => e.line.toString().trim());
  const kept = await text({});
  assert.equal(kept.at(-1), 'entry 39');
  assert.deepEqual(await text({ tail: 3 }), ['entry 37', 'entry 38', 'entry 39']);
  assert.deepEqual(await text({ tail: kept.length - 1 }), kept.slice(1));
  assert.deepEqual(await text({ tail: 1000 }), kept);
});

test('time varints match BigInt arithmetic', () => {
  for (const [seconds, nanos] of [
    [0, 1],
    [1, 0],
    [1_795_000_000, 999_999_999],
    [2 ** 33 + 7, 123],
    [9_223_372_036, 854_775_807],
  ] as const) {
    const w = new ByteWriter();
    writeNanosVarint(w, seconds, nanos);
    const reference = new ByteWriter();
    reference.varint64(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
    assert.deepEqual(w.bytesWritten(), reference.bytesWritten());
    const r = new ProtoReader().reset(w.bytesWritten(), 0, w.length);
    const time = r.time();
    const back =
      BigInt(Date.parse(`${time.slice(0, 19)}Z`) / 1000) * 1_000_000_000n +
      BigInt(time.slice(20, 29));
    assert.equal(back, BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
  }
});
