import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { exportLayerTar } from './export-tar.js';
import { createTarSplitWriter } from './tar-split.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'export-tar-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A layer dir with the given files and a tar-split built by `build`. */
async function makeLayer(
  name: string,
  files: Record<string, string>,
  build: (w: Awaited<ReturnType<typeof createTarSplitWriter>>) => Promise<void>,
): Promise<string> {
  const layerDir = join(dir, name);
  await mkdir(join(layerDir, 'diff', 'sub'), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(layerDir, path, '..'), { recursive: true });
    await writeFile(join(layerDir, path), content);
  }
  const writer = await createTarSplitWriter(join(layerDir, 'tar-split'));
  await build(writer);
  await writer.close();
  return layerDir;
}

test('raw segments and file bodies are put back in order', async () => {
  const layerDir = await makeLayer(
    'ordered',
    { 'diff/sub/a': 'AAAA', 'diff/b': 'bb', 'bodies/1': 'first b' },
    async (w) => {
      await w.raw(Buffer.from('<h1>'));
      await w.file('sub/a', 4);
      await w.raw(Buffer.from('<h2>'));
      await w.file('b', 7); // ordinal 1: relocated, the diff's b came later
      await w.raw(Buffer.from('<h3>'));
      await w.file('b', 2);
      await w.raw(Buffer.from('<end>'));
    },
  );
  const tar = await collect(exportLayerTar(layerDir));
  assert.equal(tar.toString(), '<h1>AAAA<h2>first b<h3>bb<end>');
});

test('a file that shrank is an internal error', async () => {
  const layerDir = await makeLayer('shrunk', { 'diff/b': 'short' }, async (w) => {
    await w.file('b', 100);
  });
  await assert.rejects(collect(exportLayerTar(layerDir)), (err: unknown) =>
    isMoorError(err, 'Internal'),
  );
});

test('a body path that became a symlink is not followed', async () => {
  const layerDir = await makeLayer('symlinked', { outside: 'secret' }, async (w) => {
    await w.file('b', 6);
  });
  await symlink(join(layerDir, 'outside'), join(layerDir, 'diff', 'b'));
  await assert.rejects(collect(exportLayerTar(layerDir)), { code: 'ELOOP' });
});
