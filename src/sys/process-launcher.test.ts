import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { hasErrno } from '../core/index.js';
import {
  processLauncherPid,
  runProcess,
  spawnDetached,
  startProcessLauncher,
  stopProcessLauncher,
} from './process-launcher.js';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

// The same behaviour whether commands start here or in the launcher process, with detached
// commands' lines through the launcher or over the sync channel.
for (const mode of ['here', 'launcher', 'launcher with a sync channel'] as const) {
  describe(`process launching (${mode})`, () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'moor-launcher-'));
      if (mode === 'launcher') await startProcessLauncher();
      if (mode === 'launcher with a sync channel') {
        await startProcessLauncher({ syncChannel: join(dir, 'sync.sock') });
      }
    });
    after(async () => {
      await stopProcessLauncher();
      await rm(dir, { recursive: true, force: true });
    });

    it('runs a command and returns its output and exit status', async () => {
      const out = await runProcess('sh', ['-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual(out, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    });

    it('feeds the input to stdin, text or bytes', async () => {
      assert.equal((await runProcess('cat', [], { input: 'line one\n' })).stdout, 'line one\n');
      const bytes = Buffer.from([0x68, 0x69, 0x0a]);
      assert.equal((await runProcess('cat', [], { input: bytes })).stdout, 'hi\n');
    });

    it('runs in the given working directory', async () => {
      assert.equal((await runProcess('pwd', [], { cwd: '/usr' })).stdout, '/usr\n');
    });

    it('rejects with ENOENT for a command that does not exist', async () => {
      await assert.rejects(runProcess('/nonexistent/moor-test-command', []), (err: unknown) =>
        hasErrno(err, 'ENOENT'),
      );
    });

    it('kills the command when the signal aborts', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const running = runProcess('sleep', ['10'], { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(running, (err: unknown) => (err as Error).name === 'AbortError');
      assert.ok(Date.now() - started < 5000);
    });

    it('starts a detached command and hands over the lines of its fd 3', async () => {
      assert.ok(process.env['HOME'], 'the test process has a HOME to not pass on');
      const lines = await spawnDetached(
        '/bin/sh',
        ['-c', 'echo "$GREETING" >&3; echo "${HOME-no home}" >&3'],
        { cwd: '/', env: { GREETING: 'one' } },
      );
      // Only the given environment: nothing of the starting process's.
      assert.deepEqual(await collect(lines), ['one', 'no home']);
    });

    it('stops reading fd 3 on release', async () => {
      const lines = await spawnDetached('/bin/sh', ['-c', 'echo first >&3; sleep 5'], {
        cwd: '/',
        env: {},
      });
      const iterator = lines[Symbol.asyncIterator]();
      assert.deepEqual(await iterator.next(), { done: false, value: 'first' });
      lines.release();
      assert.equal((await iterator.next()).done, true);
    });

    it('holds a detached command at its start pipe until go, or kills it there', async () => {
      const script = 'echo waiting >&3; read -r x <&4; echo "went $x" >&3';
      const hold = () =>
        spawnDetached('/bin/sh', ['-c', script], { cwd: '/', env: {}, startPipe: true });
      const held = await hold();
      const lines = held[Symbol.asyncIterator]();
      assert.deepEqual(await lines.next(), { done: false, value: 'waiting' });
      held.go();
      assert.deepEqual(await lines.next(), { done: false, value: 'went 0' });
      assert.equal((await lines.next()).done, true);

      const killed = await hold();
      const rest = killed[Symbol.asyncIterator]();
      assert.deepEqual(await rest.next(), { done: false, value: 'waiting' });
      killed.kill();
      assert.equal((await rest.next()).done, true);
    });

    it('rejects with ENOENT for a detached command that does not exist', async () => {
      await assert.rejects(
        spawnDetached('/nonexistent/moor-test-command', [], { cwd: '/', env: {} }),
        (err: unknown) => hasErrno(err, 'ENOENT'),
      );
    });

    if (mode === 'launcher with a sync channel') {
      it('gets the lines straight from the command, even with the launcher gone', async () => {
        const lines = await spawnDetached('/bin/sh', ['-c', 'sleep 0.3; echo late >&3'], {
          cwd: '/',
          env: {},
        });
        const pid = await processLauncherPid();
        assert.ok(pid !== undefined);
        process.kill(pid, 'SIGKILL');
        assert.deepEqual(await collect(lines), ['late']);
      });
    }
  });
}

describe('a launcher that dies', () => {
  before(async () => {
    await startProcessLauncher();
  });
  after(async () => {
    await stopProcessLauncher();
  });

  it('fails the commands it was running and is started again for the next one', async () => {
    const first = await processLauncherPid();
    assert.ok(first !== undefined);
    const running = runProcess('sleep', ['5']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(first, 'SIGKILL');
    await assert.rejects(running, /the process launcher exited while running sleep/);
    assert.equal((await runProcess('echo', ['again'])).stdout, 'again\n');
    const second = await processLauncherPid();
    assert.ok(second !== undefined && second !== first);
  });
});
