import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readCertsDir, registryFetch } from './registry-http.js';

const plain = () => Promise.resolve({ verify: true });

describe('registry HTTP', () => {
  const servers: Server[] = [];
  const seen: IncomingMessage[] = [];
  let origin = '';
  let other = '';
  before(async () => {
    const listen = async (handler: Parameters<typeof createServer>[1]) => {
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      return `127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    other = await listen((req, res) => {
      seen.push(req);
      res.writeHead(200).end('moved here');
    });
    origin = await listen((req, res) => {
      seen.push(req);
      if (req.url === '/same') return void res.writeHead(307, { Location: '/final' }).end();
      if (req.url === '/away') {
        return void res.writeHead(307, { Location: `http://${other}/blob` }).end();
      }
      if (req.url === '/cut') {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"at":"origin"}');
    });
  });
  after(() => {
    for (const server of servers) server.close();
  });

  it('follows redirects, keeping Authorization to its own host only', async () => {
    const headers = { Authorization: 'Bearer secret' };
    const same = await registryFetch(`http://${origin}/same`, { headers }, plain);
    assert.deepEqual(await same.json(), { at: 'origin' });
    assert.equal(seen.at(-1)?.headers.authorization, 'Bearer secret');
    const away = await registryFetch(`http://${origin}/away`, { headers }, plain);
    assert.equal((await away.buffer()).toString(), 'moved here');
    assert.equal(seen.at(-1)?.url, '/blob');
    assert.equal(seen.at(-1)?.headers.authorization, undefined);
  });

  it('HEAD has no body; a cut-off body fails its reader and nothing else', async () => {
    const head = await registryFetch(`http://${origin}/x`, { method: 'HEAD' }, plain);
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    const dropped = await registryFetch(`http://${origin}/cut`, {}, plain);
    dropped.discard();
    const read = await registryFetch(`http://${origin}/cut`, {}, plain);
    await assert.rejects(read.buffer(), { code: 'ECONNRESET' });
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('certs.d: CAs, a client certificate with its key, Docker’s error for a lone one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moor-certsd-'));
    try {
      const host = join(dir, 'reg:5000');
      await mkdir(host);
      assert.deepEqual(await readCertsDir(dir, 'nothing:1'), {});
      await writeFile(join(host, 'a.crt'), 'CA A');
      await writeFile(join(host, 'b.crt'), 'CA B');
      await writeFile(join(host, 'client.cert'), 'CERT');
      await writeFile(join(host, 'client.key'), 'KEY');
      const tls = await readCertsDir(dir, 'reg:5000');
      assert.deepEqual(
        tls.ca?.map((c) => c.toString()),
        ['CA A', 'CA B'],
      );
      assert.equal(tls.cert?.toString(), 'CERT');
      assert.equal(tls.key?.toString(), 'KEY');
      await rm(join(host, 'client.cert'));
      await assert.rejects(readCertsDir(dir, 'reg:5000'), {
        message: 'missing client certificate client.cert for key client.key',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
