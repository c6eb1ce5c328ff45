import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'events-cli';

/** `moor events` against `docker events` on one moord: the same lines for the same past. */
describe('moor events prints what docker events prints', { skip: !isRoot && 'needs root' }, () => {
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

  const { both, docker } = cliComparer({ daemon: () => daemon!, dir: () => dir, prefix: NAME });

  test('default lines, formats, filters and errors', async () => {
    const since = ((Date.now() - 1) / 1000).toFixed(3);
    await docker(argv`run --rm --network none --label team=a busybox true`);
    await docker(argv`volume create events-cli-vol`);
    await docker(argv`volume rm events-cli-vol`);
    const until = ((Date.now() + 1) / 1000).toFixed(3);
    const window = ['--since', since, '--until', until];
    await both(['events', ...window]);
    await both(['events', ...window, '--format', '{{json .}}']);
    await both(['events', ...window, '--format', '{{.}}']);
    await both([
      'events',
      ...window,
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.team}}',
    ]);
    await both(['events', ...window, '--filter', 'type=volume', '--filter', 'event=destroy']);
    await both(['events', ...window, '--filter', 'label=team=a']);
    await both(['events', '--until', until, '--filter', 'bogus=1']);
    await both(['events', '--since', 'yesterday']);
    await both(argv`events --help`);
  });
});
