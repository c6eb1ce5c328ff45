import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { createClient } from '../../src/client/index.js';
import {
  type TestDaemon,
  cleanupDaemon,
  launch,
  relaunch,
  startTestDaemon,
} from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

describe(
  'moord process',
  { skip: !isRoot && 'needs root: moord chowns its socket to root' },
  () => {
    const daemons: TestDaemon[] = [];
    after(async () => {
      for (const d of daemons) await cleanupDaemon(d);
    });

    test('serves on a root-only unix socket (0660) and answers /_ping', async () => {
      const d = await startTestDaemon('socket-mode');
      daemons.push(d);
      const st = statSync(d.socket);
      assert.ok(st.isSocket());
      assert.equal(st.mode & 0o777, 0o660);
      assert.equal(st.uid, 0);
      assert.equal(st.gid, 0);
      const client = createClient({ host: d.host });
      assert.equal((await client.ping()).apiVersion, '1.51');
      client.close();
    });

    test("the containers' directory spreads its subdirectories over ext4's block groups", async (t) => {
      const d = await startTestDaemon('spread');
      daemons.push(d);
      const containers = join(d.dataRoot, 'containers');
      const fsType = execFileSync('stat', ['-f', '-c', '%T', containers], { encoding: 'utf8' });
      if (!fsType.startsWith('ext')) {
        t.skip(`the data root is on ${fsType.trim()}, which has no such flag`);
        return;
      }
      const attributes = execFileSync('lsattr', ['-d', containers], { encoding: 'utf8' });
      assert.match(attributes.split(' ')[0] ?? '', /T/, attributes);
    });

    test('--group gives the socket to that group', async () => {
      const d = await startTestDaemon('socket-group', { args: ['--group', '4242'] });
      daemons.push(d);
      assert.equal(statSync(d.socket).gid, 4242);
    });

    test('a second moord on the same data root exits non-zero with a clear message', async () => {
      const first = await startTestDaemon('lock-first');
      daemons.push(first);
      const second = await launch({
        ...first,
        socket: join(first.dir, 'second.sock'),
        pidfile: join(first.dir, 'second.pid'),
        args: [
          '-H',
          `unix://${join(first.dir, 'second.sock')}`,
          '--data-root',
          first.dataRoot,
          '--exec-root',
          first.execRoot,
          '--pidfile',
          join(first.dir, 'second.pid'),
          '--config-file',
          join(first.dir, 'daemon.json'),
        ],
      });
      const code = await second.exited;
      assert.notEqual(code, 0);
      assert.match(
        second.logs(),
        new RegExp(
          `data root ${first.dataRoot} is in use by another moord \\(pid ${first.proc.pid}\\)`,
        ),
      );
      assert.ok(!existsSync(join(first.dir, 'second.sock')));
      // The first daemon is unharmed.
      const client = createClient({ host: first.host });
      await client.ping();
      client.close();
    });

    test('SIGTERM finishes, exits 0 and removes the socket and pidfile', async () => {
      const d = await startTestDaemon('sigterm');
      daemons.push(d);
      assert.ok(existsSync(d.pidfile));
      assert.equal(readFileSync(d.pidfile, 'utf8').trim(), String(d.proc.pid));
      assert.equal(await d.stop('SIGTERM'), 0);
      assert.ok(!existsSync(d.socket));
      assert.ok(!existsSync(d.pidfile));
    });

    test('SIGINT also exits 0; a restart on the same data root keeps the engine ID', async () => {
      const d = await startTestDaemon('restart');
      daemons.push(d);
      const client = createClient({ host: d.host });
      const before = await client.json<{ ID: string }>('GET', '/info');
      client.close();
      assert.equal(await d.stop('SIGINT'), 0);
      const again = await relaunch(d);
      daemons.push(again);
      const client2 = createClient({ host: again.host });
      const after2 = await client2.json<{ ID: string }>('GET', '/info');
      client2.close();
      assert.equal(after2.ID, before.ID);
    });

    test('SIGHUP reloads the log level from the config file', async () => {
      const d = await startTestDaemon('sighup');
      daemons.push(d);
      const client = createClient({ host: d.host });
      await client.json('GET', '/version');
      assert.doesNotMatch(d.logs(), /level=debug/);
      await writeFile(join(d.dir, 'daemon.json'), JSON.stringify({ 'log-level': 'debug' }));
      d.proc.kill('SIGHUP');
      await waitFor(() => d.logs().includes('Reloaded configuration'));
      await client.json('GET', '/version');
      await waitFor(() =>
        /level=debug msg="API request" method=GET path=\/v1.51\/version status=200 duration=/.test(
          d.logs(),
        ),
      );
      client.close();
    });
  },
);

describe('moord configuration errors', { skip: !isRoot && 'needs root' }, () => {
  let dir = '';
  after(() => rm(dir, { recursive: true, force: true }));

  async function startWith(
    args: string[],
    config?: unknown,
  ): Promise<{ code: number | null; logs: string }> {
    dir ||= await mkdtemp(join(tmpdir(), 'moor-config-errors-'));
    const sub = await mkdtemp(join(dir, 'case-'));
    const configFile = join(sub, 'daemon.json');
    if (config !== undefined) await writeFile(configFile, JSON.stringify(config));
    const d = await launch({
      dir: sub,
      socket: join(sub, 's.sock'),
      pidfile: join(sub, 'pid'),
      dataRoot: join(sub, 'data'),
      execRoot: join(sub, 'exec'),
      args: [
        '-H',
        `unix://${join(sub, 's.sock')}`,
        '--data-root',
        join(sub, 'data'),
        '--exec-root',
        join(sub, 'exec'),
        '--pidfile',
        join(sub, 'pid'),
        '--config-file',
        configFile,
        ...args,
      ],
    });
    const code = await Promise.race([d.exited, d.stop().then(() => 'was-running' as const)]);
    return { code: code === 'was-running' ? 0 : code, logs: d.logs() };
  }

  test('a directive set as a flag and in daemon.json is refused', async () => {
    const r = await startWith(['--debug'], { debug: true });
    assert.equal(r.code, 1);
    assert.match(
      r.logs,
      /the following directives are specified both as a flag and in the configuration file: debug: \(from flag: true, from file: true\)/,
    );
  });

  test('unknown daemon.json keys are refused', async () => {
    const r = await startWith([], { 'no-such-option': 1 });
    assert.equal(r.code, 1);
    assert.match(
      r.logs,
      /the following directives don't match any configuration option: no-such-option/,
    );
  });

  test('an explicitly named config file must exist', async () => {
    const r = await startWith([]);
    assert.equal(r.code, 1);
    assert.match(r.logs, /unable to configure the moor daemon with file .*daemon.json: ENOENT/);
  });

  test('plain TCP off loopback is refused without an explicit --tls=false', async () => {
    const r = await startWith(['-H', 'tcp://0.0.0.0:2375'], {});
    assert.equal(r.code, 1);
    assert.match(r.logs, /refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without TLS/);
  });

  test('fd:// hosts are refused clearly', async () => {
    const r = await startWith(['-H', 'fd://'], {});
    assert.equal(r.code, 1);
    assert.match(r.logs, /fd:\/\/ \(systemd socket activation\) is not supported/);
  });

  test('unknown flags exit 125 with pflag wording', async () => {
    const r = await startWith(['--no-such-flag'], {});
    assert.equal(r.code, 125);
    assert.match(r.logs, /unknown flag: --no-such-flag/);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
