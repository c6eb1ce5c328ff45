import assert from 'node:assert/strict';
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { access, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LogEntry } from './log-entry.js';
import { type LogDriver, type LogPumpOptions, createLogPump, openLogDriver } from './index.js';

const ID = 'face'.padEnd(64, '3');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moor-logging-pump-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes k8s-file records as conmon does, and re-creates its file as conmon's reopen does. */
class FakeConmon {
  private fd: number;
  private n = 0;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'a');
  }

  /** A record; its time is a fixed past one unless `now` asks for the clock's. */
  write(content: string, options: { stream?: string; tag?: 'F' | 'P'; now?: boolean } = {}): void {
    const fixed = `2026-11-22T19:57:25.${String(++this.n).padStart(6, '0')}+00:00`;
    const time = options.now === true ? new Date().toISOString() : fixed;
    writeSync(this.fd, `${time} ${options.stream ?? 'stdout'} ${options.tag ?? 'F'} ${content}\n`);
  }

  raw(text: string): void {
    writeSync(this.fd, text);
  }

  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(`${this.path}.tmp`, 'w');
    renameSync(`${this.path}.tmp`, this.path);
  }

  close(): void {
    closeSync(this.fd);
  }
}

interface Setup {
  dir: string;
  source: string;
  checkpoint: string;
  conmon: FakeConmon;
  driver: () => Promise<LogDriver>;
  pump: (extra?: Partial<LogPumpOptions>) => Promise<ReturnType<typeof createLogPump>>;
  stored: () => Promise<string[]>;
}

async function setup(t: TestContext): Promise<Setup> {
  const dir = await tempDir(t);
  const source = join(dir, 'monitor.log');
  const checkpoint = join(dir, 'monitor.log.offset');
  const conmon = new FakeConmon(source);
  t.after(() => conmon.close());
  const driver = () => openLogDriver({ type: 'json-file', config: {}, dir, id: ID });
  const pump = async (extra: Partial<LogPumpOptions> = {}) =>
    createLogPump({
      source,
      checkpoint,
      driver: await driver(),
      reopenSource: () => Promise.resolve(conmon.reopen()),
      pollMs: 20,
      ...extra,
    });
  const stored = async () => {
    const reader = await driver();
    const lines: string[] = [];
    for await (const e of reader.readLogs({
      stdout: true,
      stderr: true,
      follow: false,
      signal: new AbortController().signal,
      done: Promise.resolve(),
    })) {
      lines.push(`${e.stream === 'stderr' ? 'E:' : ''}${e.line.toString()}`);
    }
    await reader.close();
    return lines;
  };
  return { dir, source, checkpoint, conmon, driver, pump, stored };
}

async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms = 1500,
): Promise<void> {
  for (let i = 0; i < ms / 5; i++) {
    if (await check()) return;
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

test('catch-up after a crash: nothing lost, nothing written twice', async (t) => {
  const { conmon, pump, stored, checkpoint } = await setup(t);
  conmon.write('one');
  conmon.write('two', { stream: 'stderr' });
  const first = await pump();
  await first.start();
  assert.deepEqual(await stored(), ['one\n', 'E:two\n']);
  // moord goes away; the checkpoint stays as the last batch left it. conmon writes on.
  await first.stop();
  conmon.write('three');
  conmon.write('four-', { tag: 'P' });
  conmon.write('five');
  const second = await pump();
  await second.start();
  // A line conmon wrote in two pieces is stored as one message.
  assert.deepEqual(await stored(), ['one\n', 'E:two\n', 'three\n', 'four-five\n']);
  await second.stop();
  // A crash between the driver's write and the checkpoint: that batch comes again, no loss.
  const ino = (await readFile(checkpoint, 'utf8')).trim().split(' ')[1];
  const text = await readFile(conmon.path, 'latin1');
  const lastRecord = text.lastIndexOf('\n', text.indexOf('stdout F five')) + 1;
  await writeFile(checkpoint, `${lastRecord} ${ino}\n`);
  conmon.write('six');
  const third = await pump();
  await third.start();
  assert.deepEqual(await stored(), [
    'one\n',
    'E:two\n',
    'three\n',
    'four-five\n',
    'five\n',
    'six\n',
  ]);
  await third.stop();
  // The same crash after a whole batch: the entry the driver holds last tells what was
  // stored, and the batch converted again is not stored twice.
  const atSix =
    text.length + (await readFile(conmon.path, 'latin1')).slice(text.length).indexOf('20');
  await writeFile(checkpoint, `${atSix} ${ino}\n`);
  conmon.write('seven');
  const fourth = await pump();
  await fourth.start();
  assert.deepEqual((await stored()).slice(-3), ['five\n', 'six\n', 'seven\n']);
  await fourth.stop();
});

test('a source re-created while moord was down is converted from its start', async (t) => {
  const { conmon, pump, stored, checkpoint } = await setup(t);
  conmon.write('fresh');
  await writeFile(checkpoint, '999999 1\n');
  const p = await pump();
  await p.start();
  assert.deepEqual(await stored(), ['fresh\n']);
  await p.stop();
});

test('a final drain flushes a last record without newline', async (t) => {
  const { conmon, pump, stored } = await setup(t);
  const p = await pump();
  await p.start();
  conmon.write('full');
  conmon.raw('2026-11-22T19:57:26Z stdout F cut sho');
  await p.drain();
  assert.deepEqual(await stored(), ['full\n']);
  await p.drain({ final: true });
  assert.deepEqual(await stored(), ['full\n', 'cut sho\n']);
  await p.stop();
});

test('the source is rotated: moved aside, re-created by conmon, finished and deleted', async (t) => {
  const { conmon, pump, stored, source, checkpoint } = await setup(t);
  const p = await pump({ rotateSourceAbove: 200 });
  await p.start();
  const expected: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5; i++) {
      conmon.write(`round ${round} line ${i}`);
      expected.push(`round ${round} line ${i}\n`);
    }
    await p.drain();
    assert.equal(await exists(`${source}.old`), false);
    assert.equal((await stat(source)).size, 0, 'a new, empty source');
    assert.equal(
      await readFile(checkpoint, 'utf8'),
      `0 ${(await stat(source, { bigint: true })).ino}\n`,
    );
  }
  assert.deepEqual(await stored(), expected);
  await p.stop();
});

test('conmon writes to the old file until it gets to the reopen: nothing is lost', async (t) => {
  const { conmon, pump, stored, source } = await setup(t);
  const reopened: Array<Promise<void>> = [];
  const p = await pump({
    rotateSourceAbove: 100,
    reopenSource: () => {
      // conmon handles the request later, writing meanwhile into the moved file.
      reopened.push(
        sleep(30).then(() => {
          conmon.write('late in the old file');
          conmon.reopen();
          conmon.write('first in the new file');
        }),
      );
      return Promise.resolve();
    },
  });
  await p.start();
  conmon.write('a line long enough to pass the limit of the source');
  conmon.write('another one');
  await p.drain();
  assert.equal(await exists(`${source}.old`), true, 'waiting for the new source');
  await Promise.all(reopened);
  const want = [
    'a line long enough to pass the limit of the source\n',
    'another one\n',
    'late in the old file\n',
    'first in the new file\n',
  ];
  await eventually(async () => (await stored()).length === want.length, 'the rotation to finish');
  assert.deepEqual(await stored(), want);
  await eventually(async () => !(await exists(`${source}.old`)), 'the old file to go');
  await p.stop();
});

test('a rotation cut short by a crash is finished at start', async (t) => {
  const { conmon, pump, stored, source, checkpoint } = await setup(t);
  conmon.write('converted before the crash');
  const first = await pump();
  await first.start();
  await first.stop();
  conmon.write('not yet converted');
  // The crash came after the source was moved aside, before conmon was asked for a new one.
  await rename(source, `${source}.old`);
  const reopens: string[] = [];
  const second = await pump({
    reopenSource: () => {
      reopens.push('reopen');
      conmon.reopen();
      conmon.write('in the new file');
      return Promise.resolve();
    },
  });
  await second.start();
  assert.deepEqual(reopens, ['reopen']);
  assert.deepEqual(await stored(), [
    'converted before the crash\n',
    'not yet converted\n',
    'in the new file\n',
  ]);
  assert.equal(await exists(`${source}.old`), false);
  await second.stop();
  // A crash after the checkpoint moved to the new file, before `.old` was deleted.
  await writeFile(`${source}.old`, '2026-11-22T19:57:25Z stdout F already converted\n');
  const third = await pump();
  await third.start();
  assert.equal(await exists(`${source}.old`), false);
  assert.equal((await stored()).length, 3);
  assert.match(await readFile(checkpoint, 'utf8'), /^\d+ \d+\n$/);
  await third.stop();
});

test('subscribers get each batch as conmon writes it', async (t) => {
  const { conmon, pump } = await setup(t);
  const p = await pump({ pollMs: 1000 });
  await p.start();
  const seen: LogEntry[] = [];
  const unsubscribe = p.subscribe((entries) => seen.push(...entries));
  p.subscribe(() => {
    throw new Error('a broken listener is dropped');
  });
  conmon.write('live', { stream: 'stderr' });
  // Well before the 1 s poll: inotify wakes the pump.
  await eventually(() => seen.length === 1, 'the live entry');
  assert.deepEqual(
    seen.map((e) => [e.stream, e.line.toString(), e.partial, e.time]),
    [['stderr', 'live\n', false, '2026-11-22T19:57:25.000001000Z']],
  );
  unsubscribe();
  conmon.write('unseen');
  await p.drain();
  assert.equal(seen.length, 1);
  await p.stop();
});

test("a line conmon wrote in pieces is stored in Docker's pieces; listeners get them at once", async (t) => {
  const { conmon, pump, stored, dir } = await setup(t);
  const p = await pump();
  await p.start();
  const seen: string[] = [];
  p.subscribe((entries) => seen.push(...entries.map((e) => e.line.toString())));
  const piece = 'x'.repeat(8192);
  conmon.write(piece, { tag: 'P', now: true });
  await eventually(() => seen.length === 1, 'the first piece, live');
  await p.drain();
  assert.deepEqual(await stored(), [], 'the unfinished line is held back');
  conmon.write(piece, { tag: 'P', now: true });
  await eventually(() => seen.length === 2, 'the second piece, live');
  await p.drain();
  assert.deepEqual(await stored(), [piece + piece], 'a whole piece is stored at once');
  conmon.write('y'.repeat(4096), { now: true });
  await eventually(async () => (await stored())[0]?.endsWith('\n') === true, 'the line');
  assert.equal((await stored())[0], `${piece}${piece}${'y'.repeat(4096)}\n`);
  const file = (await readFile(join(dir, `${ID}-json.log`), 'utf8')).split('\n');
  assert.deepEqual(
    file.map((l) => (l === '' ? 0 : (JSON.parse(l) as { log: string }).log.length)),
    [16384, 4097, 0],
  );
  const times = file.slice(0, 2).map((l) => (JSON.parse(l) as { time: string }).time);
  assert.equal(times[0], times[1], 'the pieces of a line share its time');
  // Output that waits without newline (a prompt) is stored once it is a second old.
  conmon.write('prompt> ', { tag: 'P', now: true });
  await eventually(() => seen.includes('prompt> '), 'the prompt, live');
  await sleep(200);
  assert.equal((await stored()).length, 1);
  await eventually(async () => (await stored()).length === 2, 'the held prompt', 3000);
  assert.equal((await stored())[1], 'prompt> ');
  await p.stop();
});

test('a long line still being written across a restart: nothing stored twice', async (t) => {
  const { conmon, pump, dir } = await setup(t);
  const first = await pump();
  await first.start();
  const piece = 'x'.repeat(10_000);
  conmon.write(piece, { tag: 'P', now: true });
  conmon.write(piece, { tag: 'P', now: true });
  await first.drain();
  await first.stop();
  conmon.write('end', { now: true });
  const second = await pump();
  await second.start();
  await second.stop();
  const file = (await readFile(join(dir, `${ID}-json.log`), 'utf8')).trim().split('\n');
  assert.deepEqual(
    file.map((l) => (JSON.parse(l) as { log: string }).log),
    ['x'.repeat(16384), `${'x'.repeat(20_000 - 16384)}end\n`],
  );
});

test('50,000 records are converted in one pass', async (t) => {
  const { source, pump, dir } = await setup(t);
  const line = '2026-11-22T19:57:25.279812000+00:00 stdout F a line of output\n';
  await writeFile(source, line.repeat(50_000));
  const p = await pump({ rotateSourceAbove: 1 << 30 });
  await p.start();
  await p.stop();
  const size = (await stat(join(dir, `${ID}-json.log`))).size;
  assert.equal(
    size,
    50_000 *
      '{"log":"a line of output\\n","stream":"stdout","time":"2026-11-22T19:57:25.279812Z"}\n'
        .length,
  );
});
