import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer, untimed } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'system-cli';

/** `moor system df/prune` against docker's on one moord. */
describe(
  'moor system df and prune print what docker prints',
  { skip: !isRoot && 'needs root' },
  () => {
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

    test('df (table, json, -v) and prune (prompt refused, then forced)', async () => {
      await docker(['tag', 'busybox', 'system-cli-img:1']);
      await docker([
        ...argv`run -d --name system-cli-up --network none -v system-cli-vol:/d busybox`,
        'sleep',
        '300',
      ]);
      await docker([
        ...argv`run --name system-cli-done --network none -v /anon busybox sh -c`,
        'head -c 30000 /dev/zero > /x',
      ]);
      await both(argv`system df`);
      await both(argv`system df --format json`);
      await both(argv`system df -v`, { transform: untimed });
      await both(argv`system prune`, { input: 'n\n' });
      await both(argv`system prune -a --volumes`, { input: '' });
      await both(argv`system df --help`);
      // One prune for both: its result is compared with what docker's own does on the same state.
      await docker(argv`system prune -f --volumes`);
      await both(argv`system prune -f --volumes`);
      await docker(argv`rm -f system-cli-up`);
    });
  },
);
