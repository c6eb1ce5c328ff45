import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LogEntry } from './log-entry.js';
import { type LogDriver, type LogReadOptions, openLogDriver } from './index.js';

const ID = 'f011'.padEnd(64, '2');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-logging-follow-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const entry = (text: string): LogEntry => ({
  time: '2026-11-22T12:47:34.485480612Z',
  stream: 'stdout',
  line: Buffer.from(`${text}\n`),
  partial: false,
});

/** Reads in the background; `lines` fills as entries arrive, `finished` when iteration ends. */
function follow(driver: LogDriver, options: Partial<LogReadOptions>) {
  const lines: string[] = [];
  let exit!: () => void;
  const done = new Promise<void>((resolve) => (exit = resolve));
  const abort = new AbortController();
  const finished = (async () => {
    for await (const e of driver.readLogs({
      stdout: true,
      stderr: true,
      follow: true,
      signal: abort.signal,
      done,
      pollMs: 20,
      ...options,
    })) {
      lines.push(e.line.toString().trim());
    }
  })();
  return { lines, exit, abort, finished };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(5);
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('follow: existing entries, then appends, across rotations, until the container is done', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({
    type: 'json-file',
    config: { 'max-size': '300', 'max-file': '20' },
    dir,
    id: ID,
  });
  await driver.write([entry('before 1'), entry('before 2')]);
  const reader = follow(driver, {});
  await until(() => reader.lines.length === 2, 'existing entries');
  const expected = ['before 1', 'before 2'];
  for (let i = 0; i < 12; i++) {
    // Each batch takes about half a file: several rotations while following.
    await driver.write([entry(`live ${i}a`), entry(`live ${i}b`)]);
    expected.push(`live ${i}a`, `live ${i}b`);
    if (i % 4 === 0) await until(() => reader.lines.length === expected.length, `batch ${i}`);
  }
  reader.exit();
  await reader.finished;
  assert.deepEqual(reader.lines, expected);
  await driver.close();
});

test('follow with tail 0 shows only new entries; abort ends it', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({ type: 'local', config: {}, dir, id: ID });
  await driver.write([entry('old')]);
  const reader = follow(driver, { tail: 0 });
  await sleep(30);
  await driver.write([entry('new')]);
  await until(() => reader.lines.length === 1, 'the new entry');
  reader.abort.abort();
  await reader.finished;
  assert.deepEqual(reader.lines, ['new']);
  await driver.close();
});

test('follow waits for a log that does not exist yet, and ends at once when done', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({ type: 'json-file', config: {}, dir, id: ID });
  const reader = follow(driver, { stderr: false });
  await sleep(30);
  await driver.write([entry('first'), { ...entry('hidden'), stream: 'stderr' }]);
  await until(() => reader.lines.length === 1, 'the first entry');
  reader.exit();
  await reader.finished;
  assert.deepEqual(reader.lines, ['first']);
  await driver.close();
});

test('follow ends at the first entry after until', async (t) => {
  const dir = await tempDir(t);
  const driver = await openLogDriver({ type: 'json-file', config: {}, dir, id: ID });
  const reader = follow(driver, { until: Date.parse('2026-11-22T12:47:35Z') / 1000 });
  await driver.write([entry('in time')]);
  await until(() => reader.lines.length === 1, 'the entry');
  await driver.write([{ ...entry('too late'), time: '2026-11-22T12:47:36.000000000Z' }]);
  await reader.finished;
  assert.deepEqual(reader.lines, ['in time']);
  await driver.close();
});
