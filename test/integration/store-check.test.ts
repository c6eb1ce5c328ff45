import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { readMounts } from '../../src/sys/index.js';
import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
  until,
} from '../helpers/containers.js';
import { MOOR, type TestDaemon } from '../helpers/moord.js';
import { run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/** A cgroup hierarchy root of this host where moord's containers get a directory. */
async function pidsCgroupRoot(): Promise<string> {
  for (const root of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup']) {
    if (
      await stat(join(root, 'moor')).then(
        () => true,
        () => false,
      )
    )
      return root;
  }
  return '/sys/fs/cgroup/pids';
}

/**
 * `moor system check [--fix]` on a store made dirty as a crash leaves it: a stray mount under
 * the data root, a cgroup and runtime state of a container that no longer runs. A running
 * container's things are left alone.
 */
describe('store check', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  const ghost = randomBytes(32).toString('hex');
  let cgroup = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-check-'));
    daemon = await startDaemonWithBusybox('store-check');
  });
  after(async () => {
    await run('umount', ['-l', join(daemon?.dataRoot ?? '/nonexistent', 'stray')]);
    if (cgroup) await run('rmdir', [cgroup]);
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('reports the leftovers, --fix removes them, running containers keep theirs', async () => {
    const d = daemon as TestDaemon;
    const docker = dockerCli(d, join(dir, 'docker-config'));
    const up = await docker([
      'run',
      '-d',
      '--name',
      'check-up',
      '--network',
      'none',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(up.code, 0, up.stderr);
    // A created container whose process was created ahead of its start (create-ahead.ts).
    const ahead = await docker(['create', '--network', 'none', 'busybox', 'echo', 'ahead']);
    assert.equal(ahead.code, 0, ahead.stderr);
    const aheadId = ahead.stdout.trim();
    await until(async () => {
      const state = await run('runc', ['--root', join(d.execRoot, 'runc'), 'state', aheadId]);
      return state.code === 0;
    });
    const stray = join(d.dataRoot, 'stray');
    await mkdir(stray);
    assert.equal((await run('mount', ['-t', 'tmpfs', 'tmpfs', stray])).code, 0);
    cgroup = join(await pidsCgroupRoot(), 'moor', ghost);
    await mkdir(cgroup);
    await mkdir(join(d.execRoot, 'runc', ghost), { recursive: true });
    const moor = (args: string[]) => run(MOOR, ['-H', d.host, ...args]);
    const report = await moor(['system', 'check']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, new RegExp(`Stray mounts:\\n  ${stray}\\n`));
    // Other engines' empty cgroups may be listed too: the tree is shared.
    assert.match(
      report.stdout,
      new RegExp(`Cgroups of stopped containers:\\n(?:  .+\\n)*  ${cgroup}\\n`),
    );
    assert.match(report.stdout, new RegExp(`Runtime state of stopped containers:\\n  ${ghost}\\n`));
    assert.match(report.stdout, /moor system check --fix/);
    const upId = (await docker(['inspect', '-f', '{{.Id}}', 'check-up'])).stdout.trim();
    assert.doesNotMatch(report.stdout, new RegExp(upId));
    assert.doesNotMatch(report.stdout, new RegExp(aheadId));
    const fixed = await moor(['system', 'check', '--fix']);
    assert.match(fixed.stdout, /Removed\./);
    assert.equal(
      (await readMounts()).some((m) => m.target === stray),
      false,
    );
    assert.equal(
      await stat(cgroup).then(
        () => true,
        () => false,
      ),
      false,
    );
    cgroup = '';
    // (Other engines' containers share the cgroup tree: only ours are asserted gone.)
    const after = (await moor(['system', 'check'])).stdout;
    assert.doesNotMatch(after, new RegExp(`${ghost}|${stray}`));
    const still = await docker(['exec', 'check-up', 'true']);
    assert.equal(still.code, 0, 'the running container is untouched');
    const started = await docker(['start', '-a', aheadId]);
    assert.equal(started.stdout, 'ahead\n', started.stderr);
    await docker(['rm', aheadId]);
    await docker(['rm', '-f', 'check-up']);
  });
});
