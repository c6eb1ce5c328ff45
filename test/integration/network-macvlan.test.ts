import assert from 'node:assert/strict';
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
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** Whether this kernel has the dummy and macvlan link types (many build machines have not). */
async function kernelHasMacvlan(): Promise<boolean> {
  if (!isRoot) return false;
  const dummy = await run('ip', ['link', 'add', 'mvk-probe-d', 'type', 'dummy']);
  if (dummy.code !== 0) return false;
  const macvlan = await run('ip', [
    ...['link', 'add', 'mvk-probe-m', 'link', 'mvk-probe-d'],
    ...['type', 'macvlan', 'mode', 'bridge'],
  ]);
  await run('ip', ['link', 'del', 'mvk-probe-d']);
  return macvlan.code === 0;
}

const supported = await kernelHasMacvlan();

/** The dummy parents moor made for networks (named `dm-<id>`). */
async function dummyParents(): Promise<string[]> {
  const links = await run('ip', ['-br', 'link']);
  return links.stdout
    .split('\n')
    .map((l) => l.split(/[\s@]+/)[0] ?? '')
    .filter((name) => name.startsWith('dm-'));
}

/**
 * macvlan networks. Where the kernel lacks the link types, creating one fails with Docker's
 * "operation not supported" and leaves nothing behind; where it has them, containers on a
 * network with a dummy parent reach each other.
 */
describe('macvlan networks', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let config = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'moor-macvlan-cfg-'));
    daemon = await startDaemonWithBusybox('macvlan');
    docker = dockerCli(daemon, config);
  });
  after(async () => {
    await docker(['rm', '-f', 'mv-one', 'mv-two']).catch(() => undefined);
    await docker(['network', 'rm', 'mv-net']).catch(() => undefined);
    await cleanupContainerDaemon(daemon);
    await rm(config, { recursive: true, force: true });
  });

  test(
    'without the link types: Docker’s "operation not supported", nothing left',
    { skip: supported && 'this kernel has macvlan' },
    async () => {
      const before = await dummyParents();
      const made = await docker([
        'network',
        'create',
        '-d',
        'macvlan',
        '--subnet',
        '10.231.0.0/24',
        'mv-net',
      ]);
      assert.notEqual(made.code, 0);
      assert.match(made.stderr, /operation not supported/);
      const ls = await docker(['network', 'ls', '--format', '{{.Name}}']);
      assert.doesNotMatch(ls.stdout, /mv-net/);
      assert.deepEqual(await dummyParents(), before);
    },
  );

  test(
    'containers on a macvlan network with a dummy parent reach each other',
    { skip: !supported && 'the kernel has no macvlan/dummy link types ("Unknown device type")' },
    async () => {
      const made = await docker([
        'network',
        'create',
        '-d',
        'macvlan',
        '--subnet',
        '10.231.0.0/24',
        'mv-net',
      ]);
      assert.equal(made.code, 0, made.stderr);
      const one = await docker([
        'run',
        '-d',
        '--name',
        'mv-one',
        '--network',
        'mv-net',
        'busybox',
        'sleep',
        '300',
      ]);
      assert.equal(one.code, 0, one.stderr);
      const ip = (
        await docker([
          'inspect',
          '-f',
          '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
          'mv-one',
        ])
      ).stdout.trim();
      const ping = await docker([
        'run',
        '--rm',
        '--name',
        'mv-two',
        '--network',
        'mv-net',
        'busybox',
        'ping',
        '-c1',
        '-W2',
        ip,
      ]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
      await docker(['rm', '-f', 'mv-one']);
      assert.equal((await docker(['network', 'rm', 'mv-net'])).code, 0);
      assert.deepEqual(await dummyParents(), []);
    },
  );
});
