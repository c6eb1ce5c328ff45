import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import { createLogger } from '../../src/core/index.js';
import {
  type Images,
  listImages,
  openImages,
  removeImage,
  tagReference,
} from '../../src/images/index.js';
import { chainIds, type Digest } from '../../src/oci/index.js';
import { makeTar, sha256 } from '../helpers/archives.js';

const isRoot = process.getuid?.() === 0;

/**
 * Build and commit chains (a child image recording its parent) come from later features; the
 * rmi rules for them are checked here on the real stores.
 */
describe(
  'rmi of images in a parent chain',
  { skip: !isRoot && 'needs root: layers keep ownership' },
  () => {
    let dir = '';
    let images: Images;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'moor-image-parents-'));
      images = await openImages({
        dataRoot: dir,
        driver: 'overlay2',
        usage: { containerUsing: () => undefined },
        logger: createLogger('error'),
      });
    });
    after(() => rm(dir, { recursive: true, force: true }));

    /** Registers layers and records an image over them, as a build step would. */
    async function addImage(layerContents: string[], parent?: Digest): Promise<Digest> {
      const tars = await Promise.all(
        layerContents.map((c, i) => makeTar([{ name: `f${i}`, content: c }])),
      );
      const diffIds = tars.map((t) => sha256(t) as Digest);
      const chain = chainIds(diffIds);
      for (const [i, tar] of tars.entries()) {
        if (!(await images.layers.get(chain[i]!)))
          await images.layers.register(Readable.from([tar]), chain[i - 1]);
      }
      const config = {
        architecture: 'amd64',
        os: 'linux',
        created: new Date(Date.now() + layerContents.length).toISOString(),
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: diffIds.map(() => ({ created_by: 'step' })),
      };
      const record = await images.images.add(
        Buffer.from(JSON.stringify(config)),
        parent ? { parent } : {},
      );
      return record.id;
    }

    test('a named parent of a local child is only untagged, then goes with its last child', async () => {
      const parent = await addImage(['base']);
      const child = await addImage(['base', 'step'], parent);
      await images.refs.set(tagReference('chain-parent', undefined), parent);
      await images.refs.set(tagReference('chain-child', undefined), child);

      const byId = await removeImage(images, parent).catch((e: unknown) => e);
      assert.match(
        String(byId),
        /unable to delete [0-9a-f]{12} \(cannot be forced\) - image has dependent child images/,
      );

      assert.deepEqual((await removeImage(images, 'chain-parent')).items, [
        { untagged: 'chain-parent:latest' },
      ]);
      assert.ok(images.images.get(parent), 'the untagged parent stays while its child exists');
      assert.ok(
        !(await listImages(images)).some((v) => v.id === parent),
        'and is hidden as intermediate',
      );
      assert.ok((await listImages(images, { all: true })).some((v) => v.id === parent));

      const last = await removeImage(images, 'chain-child');
      assert.deepEqual(last.items, [
        { untagged: 'chain-child:latest' },
        { deleted: child },
        { deleted: parent },
      ]);
      assert.equal((await images.layers.list()).length, 0, 'every layer went with the chain');
    });

    test('noprune keeps the untagged parent', async () => {
      const parent = await addImage(['np-base']);
      const child = await addImage(['np-base', 'np-step'], parent);
      await images.refs.set(tagReference('np-child', undefined), child);
      const result = await removeImage(images, 'np-child', { noprune: true });
      assert.deepEqual(result.items, [{ untagged: 'np-child:latest' }, { deleted: child }]);
      assert.ok(images.images.get(parent));
      assert.equal((await images.layers.list()).length, 1, 'the parent keeps its layer');
    });

    test('a layer shared by two images is removed only with its last user', async () => {
      const a = await addImage(['shared', 'only-a']);
      const b = await addImage(['shared', 'only-b']);
      await images.refs.set(tagReference('share-a', undefined), a);
      await images.refs.set(tagReference('share-b', undefined), b);
      const before = (await images.layers.list()).length;
      await removeImage(images, 'share-a');
      assert.equal((await images.layers.list()).length, before - 1, 'only the top layer of a went');
      await removeImage(images, 'share-b');
      assert.equal((await images.layers.list()).length, before - 3);
    });
  },
);
