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

  /** A docker command in a pseudo-terminal (util-linux `script`), with its output so far. */
  function inTerminal(command: string) {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: {
        ...process.env,
        DOCKER_HOST: (daemon as TestDaemon).host,
        DOCKER_CONFIG: config,
        TERM: 'xterm',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      type: (text: string) => child.stdin.write(text),
      closed,
      async waitFor(re: RegExp) {
        const end = Date.now() + 15_000;
        while (!re.test(out)) {
          if (Date.now() > end)
            throw new Error(`timed out waiting for ${String(re)} in ${JSON.stringify(out)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      output: () => out,
    };
  }

  // busybox's line editor asks the terminal for the cursor position (ESC [6n) after the prompt.
  const esc = String.fromCharCode(27);
  const prompt = new RegExp(`# (${esc}\\[6n)?$`);

  test('typing into an interactive shell, then ctrl-p ctrl-q detaches', async () => {
    const term = inTerminal('docker run -it --name tty-sh busybox sh');
    await term.waitFor(prompt);
    term.type('echo $((6*7))\r');
    await term.waitFor(/42/);
    term.type('\x10\x11');
    assert.equal(await term.closed, 0, term.output());
    const docker = dockerCli(daemon as TestDaemon, config);
    const state = await docker(['inspect', '-f', '{{.State.Running}} {{.Config.Tty}}', 'tty-sh']);
    assert.equal(state.stdout.trim(), 'true true');
    const exec = await docker(['exec', 'tty-sh', 'tty']);
    assert.equal(exec.code, 1); // exec without -t has no terminal
  });

  test('docker attach to the detached shell, and detach again with custom keys', async () => {
    const term = inTerminal('docker attach --detach-keys ctrl-x,x tty-sh');
    term.type('echo attached-$((1+1))\r');
    await term.waitFor(/attached-2/);
    term.type('\x18x');
    // docker attach reports a detach with exit code 1 ("read escape sequence"), as with dockerd.
    assert.equal(await term.closed, 1, term.output());
    assert.match(term.output(), /read escape sequence/);
    const docker = dockerCli(daemon as TestDaemon, config);
    const state = await docker(['inspect', '-f', '{{.State.Running}}', 'tty-sh']);
    assert.equal(state.stdout.trim(), 'true');
    await docker(['rm', '-f', 'tty-sh']);
  });

  test('docker start -ai and docker exec -it', async () => {
    const docker = dockerCli(daemon as TestDaemon, config);
    await docker(['create', '-it', '--name', 'tty-read', 'busybox', 'sh', '-c', 'read x; exit 7']);
    const start = inTerminal('docker start -ai tty-read');
    await new Promise((r) => setTimeout(r, 500));
    start.type('hello\r');
    assert.equal(await start.closed, 7, start.output());
    await docker(['run', '-d', '--name', 'tty-host', 'busybox', 'sleep', '300']);
    const exec = inTerminal(
      'stty rows 33 cols 101; docker exec -it tty-host sh -c "tty; stty size"',
    );
    assert.equal(await exec.closed, 0, exec.output());
    assert.match(exec.output(), /\/dev\/pts\/\d+\r\n33 101/);
    await docker(['rm', '-f', 'tty-read', 'tty-host']);
  });
});
