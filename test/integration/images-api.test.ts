import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ApiError, type ApiClient, createClient } from '../../src/client/index.js';
import { makeDockerArchive, makeTar, sha256 } from '../helpers/archives.js';
import { type TestDaemon, cleanupDaemon, startTestDaemon } from '../helpers/moord.js';

const isRoot = process.getuid?.() === 0;

interface Summary {
  Id: string;
  RepoTags: string[];
  Labels: Record<string, string>;
}

async function readStream(
  client: ApiClient,
  method: string,
  path: string,
  body: Buffer,
  query: Record<string, string | string[]> = {},
) {
  const res = await client.stream(method, path, {
    body,
    query,
    headers: { 'Content-Type': 'application/x-tar' },
  });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { status?: string; stream?: string; error?: string });
}

describe('image API', { skip: !isRoot && 'needs root: layers keep file ownership' }, () => {
  let daemon: TestDaemon | undefined;
  let client: ApiClient;
  const layerDirs = () =>
    readdirSync(join(daemon!.dataRoot, 'layers', 'overlay2')).filter((n) => !n.startsWith('.'));

  before(async () => {
    daemon = await startTestDaemon('images-api');
    client = createClient({ host: daemon.host });
  });
  after(async () => {
    client?.close();
    await cleanupDaemon(daemon);
  });

  const importTar = async (tar: Buffer, query: Record<string, string | string[]>) => {
    const messages = await readStream(client, 'POST', '/images/create', tar, {
      fromSrc: '-',
      ...query,
    });
    const last = messages[messages.length - 1]?.status ?? '';
    assert.ok(last.startsWith('sha256:'), JSON.stringify(messages));
    return last;
  };

  test('import with changes and message; inspect and history show them', async () => {
    const tar = await makeTar([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/hello', content: 'hi\n', mode: 0o755 },
    ]);
    const id = await importTar(tar, {
      repo: 'import-test',
      tag: 'v1',
      message: 'made by a test',
      changes: ['CMD ["/bin/hello"]', 'ENV A=1', 'LABEL team=moor'],
    });
    const inspect = await client.json<{
      Id: string;
      RepoTags: string[];
      Config: { Cmd: string[]; Env: string[]; Labels: Record<string, string> };
      Comment: string;
      RootFS: { Layers: string[] };
    }>('GET', '/images/import-test:v1/json');
    assert.equal(inspect.Id, id);
    assert.deepEqual(inspect.RepoTags, ['import-test:v1']);
    assert.deepEqual(inspect.Config.Cmd, ['/bin/hello']);
    assert.deepEqual(inspect.Config.Env, ['A=1']);
    assert.deepEqual(inspect.Config.Labels, { team: 'moor' });
    assert.equal(inspect.Comment, 'made by a test');
    assert.deepEqual(inspect.RootFS.Layers, [sha256(tar)]);
    const history = await client.json<{ Id: string; Comment: string; Tags: string[] }[]>(
      'GET',
      `/images/${id}/history`,
    );
    assert.equal(history.length, 1);
    assert.equal(history[0]?.Id, id);
    assert.equal(history[0]?.Comment, 'made by a test');
    assert.deepEqual(history[0]?.Tags, ['import-test:v1']);
  });

  test('rmi of one of several tags untags; of the last tag deletes image and layer', async () => {
    const tar = await makeTar([{ name: 'only-here', content: 'x' }]);
    const id = await importTar(tar, { repo: 'rmi-test', tag: 'a' });
    await client.json('POST', '/images/rmi-test:a/tag', { query: { repo: 'rmi-test', tag: 'b' } });
    const before = layerDirs().length;
    const byId = await client.json('DELETE', `/images/${id.slice(7, 19)}`).catch((e: unknown) => e);
    assert.ok(byId instanceof ApiError);
    assert.equal(byId.statusCode, 409);
    assert.match(
      byId.message,
      /unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories/,
    );
    assert.deepEqual(await client.json('DELETE', '/images/rmi-test:a'), [
      { Untagged: 'rmi-test:a' },
    ]);
    assert.equal(layerDirs().length, before);
    assert.deepEqual(await client.json('DELETE', '/images/rmi-test:b'), [
      { Untagged: 'rmi-test:b' },
      { Deleted: id },
    ]);
    assert.equal(layerDirs().length, before - 1);
    const gone = await client.json('GET', '/images/rmi-test:b/json').catch((e: unknown) => e);
    assert.ok(gone instanceof ApiError);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.message, 'No such image: rmi-test:b');
  });

  test('list filters: reference, label, dangling', async () => {
    await importTar(await makeTar([{ name: 'f1', content: '1' }]), {
      repo: 'filter-a',
      tag: 'latest',
      changes: 'LABEL kind=a',
    });
    await importTar(await makeTar([{ name: 'f2', content: '2' }]), {
      repo: 'filter-b',
      tag: 'latest',
      changes: 'LABEL kind=b',
    });
    await importTar(await makeTar([{ name: 'f3', content: '3' }]), {});
    const list = (filters: object) =>
      client.json<Summary[]>('GET', '/images/json', {
        query: { filters: JSON.stringify(filters) },
      });
    assert.deepEqual((await list({ reference: ['filter-*'] })).map((i) => i.RepoTags[0]).sort(), [
      'filter-a:latest',
      'filter-b:latest',
    ]);
    assert.deepEqual(
      (await list({ label: ['kind=b'] })).map((i) => i.RepoTags[0]),
      ['filter-b:latest'],
    );
    const dangling = await list({ dangling: ['true'] });
    assert.ok(dangling.length >= 1);
    assert.ok(dangling.every((i) => i.RepoTags.length === 0));
    const bad = await list({ nonsense: ['x'] }).catch((e: unknown) => e);
    assert.ok(bad instanceof ApiError);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.message, "invalid filter 'nonsense'");
  });

  test('save then load round-trips an image with the same id', async () => {
    const tar = await makeTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/motd', content: 'round trip\n' },
    ]);
    const id = await importTar(tar, { repo: 'roundtrip', tag: 'latest' });
    const saved = await client.stream('GET', '/images/get', { query: { names: 'roundtrip' } });
    const chunks: Buffer[] = [];
    for await (const c of saved) chunks.push(c as Buffer);
    await client.json('DELETE', '/images/roundtrip');
    const messages = await readStream(client, 'POST', '/images/load', Buffer.concat(chunks), {
      quiet: '1',
    });
    assert.deepEqual(messages, [{ stream: 'Loaded image: roundtrip:latest\n' }]);
    const inspect = await client.json<{ Id: string }>('GET', '/images/roundtrip/json');
    assert.equal(inspect.Id, id);
  });

  test('bad archives are refused and leave the store unchanged', async () => {
    const countBefore = (
      await client.json<Summary[]>('GET', '/images/json', { query: { all: '1' } })
    ).length;
    const layersBefore = layerDirs().length;
    const good = await makeTar([{ name: 'a', content: 'a' }]);
    const mismatch = await makeDockerArchive([
      {
        layers: [good, await makeTar([{ name: 'b', content: 'b' }])],
        tags: ['bad:digest'],
        diffIds: [sha256(good), sha256('not the layer')],
      },
    ]);
    const truncated = (await makeDockerArchive([{ layers: [good], tags: ['bad:truncated'] }])).tar;
    const escape = await makeTar([{ name: '../escape', content: 'x' }]);
    const oddManifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example.unknown+json' }),
    );
    const unknownType = await makeTar([
      { name: `blobs/sha256/${sha256(oddManifest).slice(7)}`, content: oddManifest },
      { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
      {
        name: 'index.json',
        content: JSON.stringify({
          schemaVersion: 2,
          manifests: [
            {
              mediaType: 'application/vnd.example.unknown+json',
              digest: sha256(oddManifest),
              size: oddManifest.length,
            },
          ],
        }),
      },
    ]);
    const cases: [string, string, Buffer, Record<string, string>, RegExp][] = [
      ['digest mismatch', '/images/load', mismatch.tar, {}, /digest mismatch|diff/i],
      [
        'truncated',
        '/images/load',
        truncated.subarray(0, truncated.length - 1500),
        {},
        /unexpected end|truncated|invalid/i,
      ],
      [
        'path escape',
        '/images/create',
        escape,
        { fromSrc: '-', repo: 'bad', tag: 'escape' },
        /escapes/,
      ],
      ['not an archive', '/images/load', Buffer.from('hello, not a tar'), {}, /invalid|tar/i],
      ['unknown media type', '/images/load', unknownType, {}, /unsupported manifest media type/],
    ];
    for (const [what, path, body, query, pattern] of cases) {
      const result: unknown = await readStream(client, 'POST', path, body, query).catch(
        (e: unknown) => e,
      );
      const message = result instanceof ApiError ? result.message : JSON.stringify(result);
      if (result instanceof ApiError) assert.equal(result.statusCode, 400, `${what}: ${message}`);
      else {
        const lines = result as { error?: string }[];
        assert.ok(
          lines.some((m) => m.error),
          `${what}: expected an error, got ${message}`,
        );
      }
      assert.match(message, pattern, what);
    }
    assert.equal(
      (await client.json<Summary[]>('GET', '/images/json', { query: { all: '1' } })).length,
      countBefore,
    );
    assert.equal(layerDirs().length, layersBefore);
  });
});

describe('image API on the vfs storage driver', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  after(() => cleanupDaemon(daemon));

  test('--storage-driver vfs imports, reports the driver, and round-trips save/load', async () => {
    daemon = await startTestDaemon('images-vfs', { args: ['--storage-driver', 'vfs'] });
    const client = createClient({ host: daemon.host });
    try {
      const tar = await makeTar([
        { name: 'a/', type: 'directory' },
        { name: 'a/b', content: 'vfs' },
      ]);
      const messages = await readStream(client, 'POST', '/images/create', tar, {
        fromSrc: '-',
        repo: 'vfs-test',
      });
      const id = messages[messages.length - 1]?.status ?? '';
      const inspect = await client.json<{ GraphDriver: { Name: string; Data: { Dir: string } } }>(
        'GET',
        '/images/vfs-test/json',
      );
      assert.equal(inspect.GraphDriver.Name, 'vfs');
      assert.equal(readFileSync(join(inspect.GraphDriver.Data.Dir, 'a/b'), 'utf8'), 'vfs');
      const info = await client.json<{ Driver: string }>('GET', '/info');
      assert.equal(info.Driver, 'vfs');
      const saved = await client.stream('GET', '/images/vfs-test/get');
      const chunks: Buffer[] = [];
      for await (const c of saved) chunks.push(c as Buffer);
      await client.json('DELETE', '/images/vfs-test');
      await readStream(client, 'POST', '/images/load', Buffer.concat(chunks), { quiet: '1' });
      assert.equal((await client.json<{ Id: string }>('GET', '/images/vfs-test/json')).Id, id);
    } finally {
      client.close();
    }
  });
});
