import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cleanupContainerDaemon,
  dockerCli,
  startDaemonWithBusybox,
} from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';
import { createClient } from '../../src/client/index.js';
import { run } from '../helpers/run.js';
import { swaggerErrors } from '../helpers/swagger.js';

const isRoot = process.getuid?.() === 0;

/** Apparent bytes under `path` (du -sb). */
async function du(path: string): Promise<number> {
  const r = await run('du', ['-sb', path]);
  return Number(r.stdout.split('\t')[0]);
}

/**
 * `GET /system/df` and `docker system df` on the real data root: layer, container and volume
 * sizes agree with `du` of the directories they live in.
 */
describe('system df', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let dir = '';
  let docker: ReturnType<typeof dockerCli>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moor-df-'));
    daemon = await startDaemonWithBusybox('system-df');
    docker = dockerCli(daemon, join(dir, 'docker-config'));
  });
  after(async () => {
    await cleanupContainerDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  test('images, containers and volumes, sized as du measures them', async () => {
    const made = await docker([
      ...['run', '--name', 'df-c', '--network', 'none', '-v', 'df-vol:/d', 'busybox', 'sh', '-c'],
      'head -c 100000 /dev/zero > /d/f; head -c 50000 /dev/zero > /x',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const client = createClient({ host: (daemon as TestDaemon).host });
    const usage = await client.json<{
      LayersSize: number;
      Images: Array<{ Size: number; SharedSize: number; Containers: number }>;
      Containers: Array<{ Names: string[]; SizeRw: number; SizeRootFs: number }>;
      Volumes: Array<{
        Name: string;
        Mountpoint: string;
        UsageData: { Size: number; RefCount: number };
      }>;
    }>('GET', '/system/df');
    for (const image of usage.Images) assert.deepEqual(swaggerErrors('ImageSummary', image), []);
    const dataRoot = (daemon as TestDaemon).dataRoot;
    const layers = await du(join(dataRoot, 'layers'));
    assert.ok(
      Math.abs(usage.LayersSize - layers) / layers < 0.05,
      `${usage.LayersSize} vs du ${layers}`,
    );
    assert.equal(usage.Images[0]?.Containers, 1);
    const container = usage.Containers.find((c) => c.Names[0] === '/df-c');
    assert.equal(container?.SizeRw, 50000);
    assert.ok((container?.SizeRootFs ?? 0) > 50000);
    const volume = usage.Volumes.find((v) => v.Name === 'df-vol');
    assert.equal(volume?.UsageData.RefCount, 1);
    const data = await du(volume?.Mountpoint ?? '/nonexistent');
    assert.ok(
      Math.abs((volume?.UsageData.Size ?? 0) - data) / data < 0.05,
      `${volume?.UsageData.Size} vs du ${data}`,
    );
    const table = await docker(['system', 'df']);
    assert.match(table.stdout, /^Images\s+1\s+1\s/m);
    assert.match(table.stdout, /^Containers\s+1\s+0\s+50kB\s+50kB \(100%\)/m);
    assert.match(table.stdout, /^Local Volumes\s+1\s+1\s+100kB\s+0B \(0%\)/m);
    const only = await client.json<Record<string, unknown>>('GET', '/system/df', {
      query: { type: 'volume' },
    });
    assert.equal(only['Images'], null);
    assert.equal((only['Volumes'] as unknown[]).length, 1);
    // system prune goes through every prune endpoint (build cache included, empty).
    const pruned = await docker(['system', 'prune', '-f', '--volumes']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Deleted Containers:\n[0-9a-f]{64}\n/);
    assert.match(pruned.stdout, /Total reclaimed space: 50kB/);
    assert.equal((await docker(['volume', 'rm', 'df-vol'])).code, 0, 'a named volume stays');
  });

  test('intermediate images of a build are not counted; shared and unique sizes', async () => {
    const context = join(dir, 'build');
    await mkdir(context);
    await writeFile(
      join(context, 'Dockerfile'),
      'FROM busybox\nRUN head -c 30000 /dev/zero > /f\nENV A=1\nCMD ["true"]\n',
    );
    const built = await docker(['build', '-q', '-t', 'df-img', context]);
    assert.equal(built.code, 0, built.stderr);
    const all = await docker(['images', '-aq']);
    assert.ok(all.stdout.trim().split('\n').length > 2, `intermediate images: ${all.stdout}`);
    const client = createClient({ host: (daemon as TestDaemon).host });
    const usage = await client.json<{
      Images: Array<{ RepoTags: string[]; Size: number; SharedSize: number }>;
    }>('GET', '/system/df', { query: { type: 'image' } });
    // As dockerd: the top images only, as `docker images` lists them.
    const tags = usage.Images.map((i) => i.RepoTags.join(',')).sort();
    assert.deepEqual(tags, ['busybox:latest', 'df-img:latest']);
    const busybox = usage.Images.find((i) => i.RepoTags.includes('busybox:latest'));
    const img = usage.Images.find((i) => i.RepoTags.includes('df-img:latest'));
    assert.equal(img?.SharedSize, busybox?.Size, 'busybox layers are shared');
    assert.equal((img?.Size ?? 0) - (img?.SharedSize ?? 0), 30000, 'the RUN layer is its own');
    const table = await docker(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
    assert.match(table.stdout, /^Images 2$/m);
    assert.equal((await docker(['rmi', 'df-img'])).code, 0);
  });
});
