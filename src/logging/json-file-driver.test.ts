import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import type { LogEntry } from './log-entry.js';
import { type LogReadOptions, logPathOf, openLogDriver, readContainerLogs } from './index.js';

const ID = 'c0ffee'.padEnd(64, '0');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(
    join(tmpdir(), `moor-logging-${t.name.replace(/\W+/g, '-').slice(0, 40)}-`),
  );
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function entry(line: string, stream: LogEntry['stream'] = 'stdout', second = 1): LogEntry {
  return {
    time: `2026-11-22T12:47:${String(second).padStart(2, '0')}.485480612Z`,
    stream,
    line: Buffer.from(line),
    partial: !line.endsWith('\n'),
  };
}

function readOptions(extra: Partial<LogReadOptions> = {}): LogReadOptions {
  return {
    stdout: true,
    stderr: true,
    follow: false,
    signal: new AbortController().signal,
    done: Promise.resolve(),
    ...extra,
  };
}

async function all(iterable: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

async function collect(iterable: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of iterable) out.push(`${e.stream}:${e.line.toString()}`);
  return out;
}

test('writes dockerd json-file lines byte for byte', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({ type: 'json-file', config: {}, dir, id: ID });
  assert.equal(driver.path, join(dir, `${ID}-json.log`));
  await driver.write([
    entry('hello\n'),
    { ...entry('tab\there <b>&\n', 'stderr'), time: '2026-11-22T12:47:34.480000000Z' },
    { ...entry('no newline'), time: '2026-11-22T12:47:34.000000000Z' },
    { ...entry(''), partial: true },
  ]);
  await driver.close();
  assert.equal(
    await readFile(driver.path, 'utf8'),
    '{"log":"hello\\n","stream":"stdout","time":"2026-11-22T12:47:01.485480612Z"}\n' +
      '{"log":"tab\\u0009here \\u003cb\\u003e\\u0026\\n","stream":"stderr","time":"2026-11-22T12:47:34.48Z"}\n' +
      '{"log":"no newline","stream":"stdout","time":"2026-11-22T12:47:34Z"}\n' +
      '{"stream":"stdout","time":"2026-11-22T12:47:01.485480612Z"}\n',
  );
  assert.equal((await stat(driver.path)).mode & 0o777, 0o640);
  // Read back: times normalized again; pieces of a line without newline joined (first time).
  const back: LogEntry[] = [];
  for await (const e of driver.readLogs(readOptions())) back.push(e);
  assert.deepEqual(
    back.map((e) => [e.time, e.stream, e.line.toString(), e.partial]),
    [
      ['2026-11-22T12:47:01.485480612Z', 'stdout', 'hello\n', false],
      ['2026-11-22T12:47:34.480000000Z', 'stderr', 'tab\there <b>&\n', false],
      ['2026-11-22T12:47:34.000000000Z', 'stdout', 'no newline', true],
    ],
  );
});

test('attrs from labels, env and tag are written before time and read back', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'json-file',
    config: { labels: 'app', env: 'TZ', tag: '{{.Name}}' },
    dir,
    id: ID,
    container: { name: '/web', labels: { app: 'a<b' }, env: ['TZ=UTC'] },
  });
  await driver.write([entry('x\n')]);
  await driver.close();
  assert.equal(
    await readFile(driver.path, 'utf8'),
    '{"log":"x\\n","stream":"stdout","attrs":{"TZ":"UTC","app":"a\\u003cb","tag":"web"},"time":"2026-11-22T12:47:01.485480612Z"}\n',
  );
  const [back] = await all(driver.readLogs(readOptions()));
  assert.deepEqual(back?.attrs, { TZ: 'UTC', app: 'a<b', tag: 'web' });
});

test('reads lines dockerd wrote, whatever their form', async (t) => {
  const dir = await tempDir(t);
  const path = logPathOf('json-file', dir, ID);
  await writeFile(
    path,
    '{"log":"\\u001b[1mbold\\u001b[0m \\ud83d\\ude00 \\"q\\" \\\\\\n","stream":"stdout","time":"2026-11-22T12:47:34.48548Z"}\n' +
      '{"time":"2026-11-22T13:47:34.1+01:00","stream":"stderr","log":"reordered\\n"}\n' +
      'not json\n' +
      '{"log":"ends with backslash\\\\","stream":"stdout","time":"2026-11-22T12:47:35Z"}\n' +
      '{"log":"torn',
  );
  const entries = await all(
    readContainerLogs({ type: 'json-file', dir, id: ID, ...readOptions() }),
  );
  assert.deepEqual(
    entries.map((e) => [e.time, e.stream, e.line.toString(), e.partial]),
    [
      ['2026-11-22T12:47:34.485480000Z', 'stdout', '\u001b[1mbold\u001b[0m 😀 "q" \\\n', false],
      ['2026-11-22T12:47:34.100000000Z', 'stderr', 'reordered\n', false],
      ['2026-11-22T12:47:35.000000000Z', 'stdout', 'ends with backslash\\', true],
    ],
  );
});

test('rotation: files never exceed max-size; the oldest beyond max-file are dropped', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'json-file',
    config: { 'max-size': '1k', 'max-file': '3' },
    dir,
    id: ID,
  });
  const all: string[] = [];
  for (let batch = 0; batch < 10; batch++) {
    const entries = Array.from({ length: 7 }, (_, i) => entry(`line ${batch * 7 + i}\n`));
    all.push(...entries.map((e) => `stdout:${e.line.toString()}`));
    await driver.write(entries);
  }
  await driver.close();
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names, [`${ID}-json.log`, `${ID}-json.log.1`, `${ID}-json.log.2`]);
  for (const name of names) assert.ok((await stat(join(dir, name))).size <= 1000, name);
  const kept = await collect(driver.readLogs(readOptions()));
  assert.ok(kept.length > 14 && kept.length < all.length);
  assert.deepEqual(kept, all.slice(all.length - kept.length));
});

test('a record larger than max-size gets a file of its own; max-file 1 starts over', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'json-file',
    config: { 'max-size': '100' },
    dir,
    id: ID,
  });
  await driver.write([entry('a\n'), entry(`${'x'.repeat(300)}\n`), entry('b\n')]);
  await driver.close();
  assert.deepEqual(await readdir(dir), [`${ID}-json.log`]);
  assert.deepEqual(await collect(driver.readLogs(readOptions())), ['stdout:b\n']);
});

test('tail, since, until and stream filters, across rotated files', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'json-file',
    config: { 'max-size': '400', 'max-file': '10' },
    dir,
    id: ID,
  });
  const entries = Array.from({ length: 30 }, (_, i) =>
    entry(`n${i}\n`, i % 3 === 0 ? 'stderr' : 'stdout', i),
  );
  await driver.write(entries);
  await driver.close();
  assert.ok((await readdir(dir)).length > 3, 'rotated');
  const read = (extra: Partial<LogReadOptions>) => collect(driver.readLogs(readOptions(extra)));
  assert.equal((await read({})).length, 30);
  assert.deepEqual(await read({ tail: 4 }), [
    'stdout:n26\n',
    'stderr:n27\n',
    'stdout:n28\n',
    'stdout:n29\n',
  ]);
  assert.deepEqual(await read({ tail: 0 }), []);
  assert.equal((await read({ tail: 100 })).length, 30);
  assert.equal((await read({ tail: 13 }))[0], 'stdout:n17\n');
  // As in dockerd, the tail is taken before the stream filter.
  assert.deepEqual(await read({ tail: 4, stdout: false }), ['stderr:n27\n']);
  assert.deepEqual(
    await read({ stdout: false }),
    entries.filter((_, i) => i % 3 === 0).map((e) => `stderr:${e.line.toString()}`),
  );
  const second = (s: number) =>
    Date.parse(`2026-11-22T12:47:${String(s).padStart(2, '0')}Z`) / 1000;
  // since: entries at or after; until: at or before (times have .485480612 s).
  assert.deepEqual(await read({ since: second(27) + 0.48548 }), [
    'stderr:n27\n',
    'stdout:n28\n',
    'stdout:n29\n',
  ]);
  assert.deepEqual(await read({ since: second(27) + 0.5 }), ['stdout:n28\n', 'stdout:n29\n']);
  assert.deepEqual(await read({ until: second(2) }), ['stderr:n0\n', 'stdout:n1\n']);
  assert.deepEqual(await read({ since: second(10), until: second(12) }), [
    'stdout:n10\n',
    'stdout:n11\n',
  ]);
});

test('none keeps nothing and cannot be read, in dockerd words', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({ type: 'none', config: {}, dir, id: ID });
  assert.equal(driver.path, '');
  await driver.write([entry('lost\n')]);
  assert.deepEqual(await readdir(dir), []);
  const expectNotImplemented = (err: unknown) =>
    isMoorError(err, 'NotImplemented') &&
    err.message === 'configured logging driver does not support reading';
  await assert.rejects(
    driver.readLogs(readOptions())[Symbol.asyncIterator]().next(),
    expectNotImplemented,
  );
  await assert.rejects(
    readContainerLogs({ type: 'none', dir, id: ID, ...readOptions() }).next(),
    expectNotImplemented,
  );
  await assert.rejects(
    readContainerLogs({ type: 'gelf', dir, id: ID, ...readOptions() }).next(),
    (err: unknown) => isMoorError(err, 'InvalidArgument'),
  );
  await assert.rejects(
    openLogDriver({ type: 'json-file', config: { bogus: '1' }, dir, id: ID }),
    /unknown log opt 'bogus' for json-file log driver/,
  );
});

test('a log that does not exist yet reads as empty', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(
    await collect(readContainerLogs({ type: 'json-file', dir, id: ID, ...readOptions() })),
    [],
  );
  assert.deepEqual(
    await collect(readContainerLogs({ type: 'local', dir, id: ID, ...readOptions({ tail: 3 }) })),
    [],
  );
});

test('200,000 lines are written and read back, and tail reads only the end', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'json-file',
    config: { 'max-size': '1g' },
    dir,
    id: ID,
  });
  const line = 'a line of the log\n';
  const text = Buffer.from(line.repeat(200_000));
  const entries = Array.from({ length: 200_000 }, (_, i): LogEntry => ({
    time: `2026-11-22T12:47:34.${String(i).padStart(9, '0')}Z`,
    stream: i % 2 ? 'stderr' : 'stdout',
    line: text.subarray(i * line.length, (i + 1) * line.length),
    partial: false,
  }));
  await driver.write(entries);
  let count = 0;
  for await (const e of driver.readLogs(readOptions())) if (e.line.length > 0) count++;
  const last = await collect(driver.readLogs(readOptions({ tail: 2 })));
  await driver.close();
  assert.equal(count, 200_000);
  assert.deepEqual(last, [`stdout:${line}`, `stderr:${line}`]);
  // Speed is measured by bench/containers.ts (`docker logs` of 200,000 lines), not here.
});
