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
import { type TestDaemon, relaunch } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

/** Unix seconds with nanoseconds, as the docker CLI sends --since/--until. */
const stamp = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The event log through the docker CLI: a container's whole lifecycle with Docker's event
 * names in Docker's order, filters, and --since replaying the past across a daemon restart.
 */
describe('events', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-events-'));
    daemon = await startDaemonWithBusybox('events');
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const events = async (since: number, until: number, args: string[] = []) => {
    const r = await docker([
      ...['events', '--since', stamp(since), '--until', stamp(until)],
      ...['--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}', ...args],
    ]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').filter(Boolean);
  };

  let t0 = 0;
  let t1 = 0;
  test('a container’s lifecycle, event by event', async () => {
    t0 = Date.now() - 1;
    const steps: string[][] = [
      [
        'create',
        '--name',
        'ev-life',
        '--network',
        'none',
        '--label',
        'team=a',
        'busybox',
        'sleep',
        '300',
      ],
      ['start', 'ev-life'],
      ['exec', 'ev-life', 'true'],
      ['pause', 'ev-life'],
      ['unpause', 'ev-life'],
      ['rename', 'ev-life', 'ev-renamed'],
      ['update', '--memory', '64m', 'ev-renamed'],
      ['kill', '-s', 'USR1', 'ev-renamed'],
      ['stop', '-t', '0', 'ev-renamed'],
      ['rm', 'ev-renamed'],
    ];
    for (const step of steps) {
      const r = await docker(step);
      assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
    }
    await docker(['volume', 'create', 'ev-vol']);
    await docker([
      ...['run', '--rm', '--name', 'ev-mnt', '--network', 'none', '-v', 'ev-vol:/v'],
      ...['busybox', 'true'],
    ]);
    await docker(['volume', 'rm', 'ev-vol']);
    t1 = Date.now() + 1;
    const seen = await events(t0, t1);
    assert.deepEqual(seen, [
      'container create ev-life',
      'container start ev-life',
      'container exec_create: true ev-life',
      'container exec_start: true ev-life',
      'container exec_die ev-life',
      'container pause ev-life',
      'container unpause ev-life',
      'container rename ev-renamed',
      'container update ev-renamed',
      // USR1, then stop's SIGTERM and (after -t 0) SIGKILL.
      'container kill ev-renamed',
      'container kill ev-renamed',
      'container kill ev-renamed',
      'container die ev-renamed',
      'container stop ev-renamed',
      'container destroy ev-renamed',
      'volume create <no value>',
      ...['container create ev-mnt', 'container attach ev-mnt', 'volume mount <no value>'],
      ...['container start ev-mnt', 'container die ev-mnt', 'volume unmount <no value>'],
      'container destroy ev-mnt',
      'volume destroy <no value>',
    ]);
    const attributes = await docker([
      ...['events', '--since', stamp(t0), '--until', stamp(t1), '--filter', 'event=die'],
      ...['--filter', 'container=ev-renamed'],
      ...[
        '--format',
        '{{.Actor.Attributes.exitCode}} {{.Actor.Attributes.team}} {{.Actor.Attributes.image}} {{.From}}',
      ],
    ]);
    assert.equal(attributes.stdout, '137 a busybox busybox\n');
  });

  test('attach, copy, export and health events', async () => {
    const start = Date.now() - 1;
    assert.equal(
      (await docker(['run', '--name', 'ev-att', '--network', 'none', 'busybox', 'true'])).code,
      0,
    );
    await docker(['cp', 'ev-att:/etc/hostname', join(dir, 'hostname')]);
    await docker(['export', '-o', join(dir, 'ev.tar'), 'ev-att']);
    await docker([
      ...['run', '-d', '--name', 'ev-health', '--network', 'none', '--health-cmd', 'true'],
      ...['--health-interval', '1s', 'busybox', 'sleep', '30'],
    ]);
    await new Promise((r) => setTimeout(r, 2500));
    await docker(['rm', '-f', 'ev-att', 'ev-health']);
    const actions = await docker([
      ...['events', '--since', stamp(start), '--until', stamp(Date.now() + 1)],
      ...['--filter', 'event=attach', '--filter', 'event=archive-path', '--filter', 'event=export'],
      ...['--filter', 'event=health_status', '--format', '{{.Action}} {{.Actor.Attributes.name}}'],
    ]);
    assert.equal(
      actions.stdout,
      'attach ev-att\narchive-path ev-att\nexport ev-att\nhealth_status: healthy ev-health\n',
    );
  });

  test('image events: tag and untag carry the image id and Docker’s names', async () => {
    const start = Date.now() - 1;
    assert.equal((await docker(['tag', 'busybox', 'ev-img:1'])).code, 0);
    assert.equal((await docker(['rmi', 'ev-img:1'])).code, 0);
    const id = (await docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
    const r = await docker([
      ...['events', '--since', stamp(start), '--until', stamp(Date.now() + 1)],
      ...[
        '--filter',
        'type=image',
        '--format',
        '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}',
      ],
    ]);
    assert.equal(r.stdout, `tag ${id} ev-img:1\nuntag ${id} ${id}\n`);
  });

  test('filters: type, event, container and label; OR within a key', async () => {
    assert.deepEqual(await events(t0, t1, ['--filter', 'type=volume']), [
      'volume create <no value>',
      'volume mount <no value>',
      'volume unmount <no value>',
      'volume destroy <no value>',
    ]);
    assert.deepEqual(
      await events(t0, t1, ['--filter', 'event=pause', '--filter', 'event=unpause']),
      ['container pause ev-life', 'container unpause ev-life'],
    );
    assert.deepEqual(
      await events(t0, t1, ['--filter', 'container=ev-renamed', '--filter', 'event=stop']),
      ['container stop ev-renamed'],
    );
    assert.equal((await events(t0, t1, ['--filter', 'label=team=b'])).length, 0);
    const bad = await docker([
      'events',
      '--since',
      stamp(t0),
      '--until',
      stamp(t1),
      '--filter',
      'bogus=1',
    ]);
    assert.match(bad.stderr, /invalid filter 'bogus'/);
  });

  test('--since replays the past after a daemon restart; a live stream sees new events', async () => {
    const old = daemon as TestDaemon;
    await old.stop();
    daemon = await relaunch(old);
    docker = dockerCli(daemon, join(dir, 'docker-config'));
    assert.equal((await events(t0, t1, ['--filter', 'event=create'])).length, 3);
    const start = Date.now() - 1;
    const live = docker([
      ...['events', '--since', stamp(start), '--until', stamp(start + 3000)],
      ...['--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}}'],
    ]);
    await docker(['network', 'create', 'ev-net']);
    await docker(['network', 'rm', 'ev-net']);
    const r = await live;
    assert.equal(r.stdout, 'create ev-net\ndestroy ev-net\n');
  });
});
