import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { argv, cliComparer } from '../helpers/cli-compare.js';
import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'update-cli';

/** `moor update` against `docker update` on one moord: output, errors, the stored result. */
describe('moor update prints what docker update prints', { skip: !isRoot && 'needs root' }, () => {
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

  const { same, both, docker } = cliComparer({
    daemon: () => daemon!,
    dir: () => dir,
    prefix: NAME,
  });

  test('update: limits and restart policy; Docker’s errors', async () => {
    await same('c', argv`run -d --network none --name @ busybox sleep 300`);
    await same('c', argv`update --memory 64m --cpus 0.5 --pids-limit 30 --restart on-failure:3 @`);
    const format =
      '{{.HostConfig.Memory}} {{.HostConfig.NanoCPUs}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy}}';
    const shown = await same('c', ['inspect', '-f', format, '@']);
    assert.equal(shown.stdout, '67108864 500000000 30 {on-failure 3}\n');
    await same('c', argv`update --cpu-quota 50000 @`);
    await same('c', argv`update --memory 2m @ update-cli-nosuch`);
    await same('c', argv`update @`);
    await both(argv`update --memory bad x`);
    await both(argv`update --help`);
    await docker(argv`rm -f update-cli-c-d update-cli-c-m`);
  });
});
