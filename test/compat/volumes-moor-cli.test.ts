import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer, normaliseOutput } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'volumes-cli';

/**
 * `moor volume ...` against `docker volume ...` on one moord: the same output, errors and exit
 * codes for create, ls (formats and filters), inspect (JSON and templates), rm and prune.
 */
describe('moor volume commands print what docker prints', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
    daemon = await startDaemonWithBusybox(NAME);
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const { same, both, docker, moor } = cliComparer({
    daemon: () => daemon!,
    dir: () => dir,
    prefix: NAME,
  });

  test('create, ls, inspect and rm', async () => {
    await same('plain', argv`volume create @`);
    // (docker joins several labels in Go's random map order: one each for the lists.)
    await same('labelled', argv`volume create --label team=a @`);
    await same('tiered', argv`volume create --label tier @`);
    await same('tmpfs', argv`volume create -o type=tmpfs -o device=tmpfs -o o=size=1m @`);
    await both(argv`volume ls`);
    await both(argv`volume ls -q`);
    await both([
      ...argv`volume ls --format`,
      'table {{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Labels}}\t{{.Label "team"}}\t{{.Links}}\t{{.Size}}',
    ]);
    await both(argv`volume ls --format json`);
    for (const filter of [
      'name=labelled',
      'label=team=a',
      'label=tier',
      'dangling=true',
      'driver=local',
    ]) {
      await both(['volume', 'ls', '-q', '-f', filter]);
    }
    await both(argv`volume ls -f bogus=1`);
    await same('labelled', argv`volume inspect @`);
    await same('plain', argv`volume inspect @`);
    await same('tmpfs', [
      ...argv`volume inspect -f`,
      '{{.}}|{{json .Options}}|{{.UsageData}}',
      '@',
    ]);
    await same('labelled', [
      ...argv`volume inspect -f`,
      '{{json .Labels}} {{.Mountpoint}}',
      '@',
      'nosuch',
    ]);
    await both(argv`volume inspect nosuch`);
    await same('plain', argv`volume rm @ nosuch`);
    await both(argv`volume rm -f nosuch`);
    await both(argv`volume create bad$name`);
    await both(argv`volume create -o foo=bar vc-opt`);
    await both(argv`volume create --help`);
    await both(argv`volume rm --help`);
    await both(argv`volume`);
  });

  test('rm of a volume in use, and prune (anonymous only, then --all)', async () => {
    await same('used', argv`create --name @ -v @:/data busybox`);
    const inUse = await same('used', argv`volume rm @`);
    assert.match(inUse.stderr, /volume is in use/);
    await same('used', argv`rm -v @`);
    await same('used', argv`volume rm @`);
    await docker(argv`volume prune --all --force`);
    // Each CLI prunes an anonymous volume made just before it.
    const pruneWith = async (cli: typeof docker, prune: string[]) => {
      const made = await cli(argv`create -v /anon busybox`);
      assert.equal(made.code, 0, made.stderr);
      await cli(['rm', made.stdout.trim()]);
      const out = await cli(prune);
      return normaliseOutput(out.stdout, '@', 'moor');
    };
    for (const prune of [argv`volume prune -f`, argv`volume prune --all --force`]) {
      assert.equal(await pruneWith(moor, prune), await pruneWith(docker, prune));
    }
    await both(argv`volume prune -f --filter bad`);
  });
});
