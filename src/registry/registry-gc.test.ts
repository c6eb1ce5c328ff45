import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';

import { collectGarbage } from './registry-gc.js';
import { openRegistryStorage } from './registry-storage.js';

test('gc removes the blobs no manifest reaches, with their links, and keeps the rest', async () => {
  const root = await mkdtemp(join(tmpdir(), 'moor-registry-gc-'));
  try {
    const storage = await openRegistryStorage(root);
    const blob = async (text: string) => {
      const uuid = await storage.startUpload();
      await storage.appendUpload(uuid, Readable.from([Buffer.from(text)]));
      const digest = await storage.putBlob(Buffer.from(text));
      await storage.cancelUpload(uuid);
      await storage.link('app', digest);
      return digest;
    };
    const config = await blob('config');
    const layer = await blob('layer');
    const orphan = await blob('orphan');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { digest: config },
        layers: [{ digest: layer }],
      }),
    );
    const digest = await storage.putBlob(manifest);
    await storage.linkManifest('app', digest, 'application/vnd.oci.image.manifest.v1+json');
    await storage.tag('app', 'v1', digest);
    const uploading = await storage.startUpload();

    assert.deepEqual(await collectGarbage(storage, { dryRun: true }), [orphan]);
    assert.equal(await storage.blobSize(orphan), 6);
    assert.deepEqual(await collectGarbage(storage), [orphan]);
    assert.equal(await storage.blobSize(orphan), undefined);
    assert.equal(await storage.hasLink('app', orphan), false);
    for (const kept of [config, layer, digest])
      assert.notEqual(await storage.blobSize(kept), undefined);
    assert.equal(await storage.uploadSize(uploading), 0, 'uploads in progress stay');
    await collectGarbage(storage, { uploadAgeMs: 0 });
    assert.equal(await storage.uploadSize(uploading), undefined, 'abandoned uploads go');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
