import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { releaseCreatedProcess } from './exec-fifo.js';

let base: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'exec-fifo-test-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

function fifoAt(name: string): string {
  const path = join(base, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/**
 * Like runc's created init: opens the fifo for writing (waiting for a reader), writes a byte.
 * Resolves with what it printed once it has ended.
 */
function init(fifo: string, delayMs = 0): Promise<string> {
  const delay = (delayMs / 1000).toFixed(3);
  const child = spawn(
    'sh',
    ['-c', `sleep ${delay}; printf 0 > "$1"; echo released`, 'init', fifo],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return new Promise((resolve) => child.on('close', () => resolve(text)));
}

test('an init waiting in its open is let go, its byte read, the fifo removed', async () => {
  const fifo = fifoAt('waiting');
  const ended = init(fifo);
  // Let it reach its open (it waits there for a reader).
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(await releaseCreatedProcess(fifo), true);
  assert.equal(await ended, 'released\n');
  assert.equal(existsSync(fifo), false);
});

test('an init that opens the fifo only later is waited for', async () => {
  const fifo = fifoAt('late');
  const ended = init(fifo, 150);
  assert.equal(await releaseCreatedProcess(fifo), true);
  assert.equal(await ended, 'released\n');
});

test('no fifo: false (the caller runs runc start); no init: an error in time', async () => {
  assert.equal(await releaseCreatedProcess(join(base, 'missing')), false);
  const fifo = fifoAt('orphan');
  await assert.rejects(releaseCreatedProcess(fifo, 50), /exited before it was started/);
});

test('an init that closes the fifo without its byte is an error at once', async () => {
  const fifo = fifoAt('closed');
  const opened = new Promise<void>((resolve) => {
    spawn('sh', ['-c', 'exec 3>"$1"; sleep 0.05; exec 3>&-', 'init', fifo], {
      stdio: 'ignore',
    }).on('close', () => resolve());
  });
  const started = Date.now();
  await assert.rejects(releaseCreatedProcess(fifo, 5_000), /exited before it was started/);
  assert.ok(Date.now() - started < 4_000, 'not left to the timeout');
  await opened;
});
