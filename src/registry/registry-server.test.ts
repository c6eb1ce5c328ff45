import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createRegistryHandler } from './registry-server.js';
import { openRegistryStorage } from './registry-storage.js';

const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';

describe('registry server (distribution API)', () => {
  let root = '';
  let server: Server;
  let base = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'moor-registry-'));
    const handler = createRegistryHandler(await openRegistryStorage(root));
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await rm(root, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);
  const errorCode = async (res: Response) =>
    ((await res.json()) as { errors: { code: string }[] }).errors[0]?.code;

  async function pushBlob(name: string, data: Buffer): Promise<string> {
    const digest = sha(data);
    const res = await call(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: data,
    });
    assert.equal(res.status, 201);
    return digest;
  }

  async function pushImage(name: string, tag: string, layer: string) {
    const config = await pushBlob(name, Buffer.from(`{"config":"${layer}"}`));
    const layerDigest = await pushBlob(name, Buffer.from(layer));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: SCHEMA2,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: config,
        size: 1,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          digest: layerDigest,
          size: 1,
        },
      ],
    });
    const res = await call(`/v2/${name}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'Content-Type': SCHEMA2 },
      body: manifest,
    });
    assert.equal(res.status, 201, await res.text());
    return { manifest, digest: res.headers.get('docker-content-digest') ?? '' };
  }

  test('the base endpoint answers with the API version header', async () => {
    const res = await call('/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  });

  test('chunked upload, then HEAD and ranged GET of the blob', async () => {
    const start = await call('/v2/chunked/repo/blobs/uploads/', { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location') ?? '';
    const part1 = await call(location, {
      method: 'PATCH',
      headers: { 'Content-Range': '0-4' },
      body: 'hello',
    });
    assert.equal(part1.status, 202);
    assert.equal(part1.headers.get('range'), '0-4');
    const wrong = await call(location, {
      method: 'PATCH',
      headers: { 'Content-Range': '2-4' },
      body: 'xyz',
    });
    assert.equal(wrong.status, 416);
    await call(location, { method: 'PATCH', body: ' world' });
    const digest = sha('hello world');
    const done = await call(`${location}?digest=${digest}`, { method: 'PUT' });
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('docker-content-digest'), digest);
    const head = await call(`/v2/chunked/repo/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), '11');
    const ranged = await call(`/v2/chunked/repo/blobs/${digest}`, {
      headers: { Range: 'bytes=6-' },
    });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), 'world');
    assert.equal(ranged.headers.get('content-range'), 'bytes 6-10/11');
  });

  test('a digest mismatch keeps nothing; unknown blobs and uploads are 404', async () => {
    const res = await call(`/v2/bad/blobs/uploads/?digest=${sha('other')}`, {
      method: 'POST',
      body: 'data',
    });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
    assert.deepEqual(await readdir(join(root, 'uploads')), []);
    const blob = await call(`/v2/bad/blobs/${sha('data')}`);
    assert.equal(blob.status, 404);
    assert.equal(await errorCode(blob), 'BLOB_UNKNOWN');
    const upload = await call('/v2/bad/blobs/uploads/00000000-0000-0000-0000-000000000000');
    assert.equal(await errorCode(upload), 'BLOB_UPLOAD_UNKNOWN');
  });

  test('manifests by tag and digest; one referring to a missing blob is refused', async () => {
    const { manifest, digest } = await pushImage('library/app', 'v1', 'layer-1');
    assert.equal(digest, sha(manifest));
    for (const ref of ['v1', digest]) {
      const res = await call(`/v2/library/app/manifests/${ref}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), SCHEMA2);
      assert.equal(res.headers.get('docker-content-digest'), digest);
      assert.equal(await res.text(), manifest);
    }
    const missing = JSON.stringify({
      schemaVersion: 2,
      mediaType: SCHEMA2,
      config: { mediaType: 'x', digest: sha('nope'), size: 1 },
      layers: [],
    });
    const refused = await call('/v2/library/app/manifests/v2', { method: 'PUT', body: missing });
    assert.equal(refused.status, 400);
    assert.equal(await errorCode(refused), 'MANIFEST_BLOB_UNKNOWN');
    const unknown = await call('/v2/library/app/manifests/nosuch');
    assert.equal(await errorCode(unknown), 'MANIFEST_UNKNOWN');
    const badTag = await call('/v2/library/app/manifests/-bad', { method: 'PUT', body: manifest });
    assert.equal(await errorCode(badTag), 'TAG_INVALID');
    const badName = await call('/v2/UPPER/manifests/v1');
    assert.equal(await errorCode(badName), 'NAME_INVALID');
  });

  test('a body shorter than its Content-Length, and clients that go away, leave no blob', async () => {
    const start = await call('/v2/short/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location') ?? '';
    const digest = sha('0123456789');
    // A PUT announcing 10 bytes that sends 4 and hangs up.
    await new Promise<void>((resolve) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () => {
        socket.write(
          `PUT ${location}?digest=${digest} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123`,
        );
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await call(`/v2/short/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    // A GET of a blob abandoned after its first bytes: the server goes on serving.
    const big = await pushBlob('short', Buffer.alloc(4 << 20, 7));
    const controller = new AbortController();
    const res = await call(`/v2/short/blobs/${big}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    assert.equal((await call('/v2/')).status, 200);
    assert.equal((await call(`/v2/short/blobs/${big}`, { method: 'HEAD' })).status, 200);
  });

  test('cross-repository mount, tag list and catalog pages, manifest delete', async () => {
    const digest = await pushBlob('mount/source', Buffer.from('shared layer'));
    const mounted = await call(
      `/v2/mount/target/blobs/uploads/?mount=${digest}&from=mount/source`,
      {
        method: 'POST',
      },
    );
    assert.equal(mounted.status, 201);
    assert.equal((await call(`/v2/mount/target/blobs/${digest}`, { method: 'HEAD' })).status, 200);

    for (const tag of ['a', 'b', 'c']) await pushImage('paged', tag, `layer-${tag}`);
    const first = await call('/v2/paged/tags/list?n=2');
    assert.deepEqual(await first.json(), { name: 'paged', tags: ['a', 'b'] });
    assert.equal(first.headers.get('link'), '</v2/paged/tags/list?last=b&n=2>; rel="next"');
    const second = await call('/v2/paged/tags/list?n=2&last=b');
    assert.deepEqual(await second.json(), { name: 'paged', tags: ['c'] });
    assert.equal(second.headers.get('link'), null);

    const catalog = await call('/v2/_catalog?n=1');
    const names = ((await catalog.json()) as { repositories: string[] }).repositories;
    assert.equal(names.length, 1);
    assert.match(catalog.headers.get('link') ?? '', /rel="next"/);

    const tagged = await call('/v2/paged/manifests/a', { method: 'HEAD' });
    const digestA = tagged.headers.get('docker-content-digest') ?? '';
    assert.equal((await call(`/v2/paged/manifests/${digestA}`, { method: 'DELETE' })).status, 202);
    assert.equal((await call('/v2/paged/manifests/a')).status, 404);
    const tags = (await (await call('/v2/paged/tags/list')).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['b', 'c']);
  });
});
