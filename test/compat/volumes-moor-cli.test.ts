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
    await both(argv`volume ls --format raw`);
    await both(argv`volume ls -q --format raw`);
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

  test('docker’s checks, typed inspect templates, HTML characters, top-level inspect', async () => {
    await same('named', argv`volume create --name @`);
    await same('named', argv`volume create --name @ other`);
    await both(['volume', 'create', '--label', 'bad label']);
    await both(argv`volume create --label =x`);
    await both(argv`volume create one two`);
    await both(argv`volume list extra`);
    await both(argv`volume remove`);
    // No raw JSON for `volume inspect`: a template fails on volume.Volume, with no fallback.
    await same('named', [...argv`volume inspect -f`, '{{.Nope}}', '@', '@']);
    await same('named', [...argv`volume inspect -f`, '{{.UsageData.Size}}', '@']);
    await same('named', [...argv`volume inspect -f`, '{{.ClusterVolume}} {{.Status}}', '@']);
    // The CLI marshals the volume again (maps sorted, HTML escaped); `json` in templates does
    // not escape. (One label where docker joins them in Go's random map order.)
    await same('sorted', argv`volume create --label z=1 --label a=2 @`);
    await same('sorted', argv`volume inspect @`);
    await same('html', ['volume', 'create', '--label', 'a=<b>&', '@']);
    await same('html', argv`volume inspect @`);
    await same('html', argv`volume inspect --format json @`);
    await same('html', [...argv`volume inspect -f`, '{{json .Labels}} {{json .}}', '@']);
    await same('html', [...argv`volume ls -f name=@ --format`, '{{json .}} {{json .Labels}}']);
    // The top-level inspect finds volumes after containers, images and networks.
    await same('named', argv`inspect @`);
    await same('named', [...argv`inspect --type volume -f`, '{{.Name}} {{.Options}}', '@']);
    await same('named', argv`inspect -s @`);
    await same('named', argv`volume rm @`);
    await same('html', argv`volume rm -f @`);
    await same('sorted', argv`volume rm @`);
    await both(argv`volume prune --all --filter all=1`);
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
