import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/**
 * `docker run -it` in a real pseudo-terminal (util-linux `script`): a shell prompt, commands
 * typed into it, and Ctrl-P Ctrl-Q detaching while the container keeps running.
 */
describe('docker run -it in a pseudo-terminal', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-tty-cfg-'));
    daemon = await startDaemonWithBusybox('tty');
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  test('typing into an interactive shell, then ctrl-p ctrl-q detaches', async () => {
    const child = spawn(
      'script',
      ['-qfec', 'docker run -it --name tty-sh busybox sh', '/dev/null'],
      {
        env: {
          ...process.env,
          DOCKER_HOST: (daemon as TestDaemon).host,
          DOCKER_CONFIG: config,
          TERM: 'xterm',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const waitFor = async (re: RegExp) => {
      const end = Date.now() + 15_000;
      while (!re.test(out)) {
        if (Date.now() > end)
          throw new Error(`timed out waiting for ${String(re)} in ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // busybox's line editor asks the terminal for the cursor position (ESC [6n) after the prompt.
    const esc = String.fromCharCode(27);
    await waitFor(new RegExp(`# (${esc}\\[6n)?$`));
    child.stdin.write('echo $((6*7))\r');
    await waitFor(/42/);
    child.stdin.write('\x10\x11');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, out);
    const docker = dockerCli(daemon as TestDaemon, config);
    const state = await docker(['inspect', '-f', '{{.State.Running}} {{.Config.Tty}}', 'tty-sh']);
    assert.equal(state.stdout.trim(), 'true true');
    const exec = await docker(['exec', 'tty-sh', 'tty']);
    assert.equal(exec.code, 1); // exec without -t has no terminal
    await docker(['rm', '-f', 'tty-sh']);
  });
});
