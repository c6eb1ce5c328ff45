import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { createRegistryClient } from './registry-client.js';

describe('registry client', () => {
  let server: Server;
  let domain = '';
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    domain = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('a registry that is not insecure must speak HTTPS: Docker’s message for plain HTTP', async () => {
    const client = createRegistryClient({ domain, insecure: false });
    await assert.rejects(client.fetch('/v2/', {}, ''), (err: Error) => {
      assert.equal(
        err.message,
        `Get "https://${domain}/v2/": http: server gave HTTP response to HTTPS client`,
      );
      return true;
    });
  });

  it('an insecure registry falls back to plain HTTP', async () => {
    const client = createRegistryClient({ domain, insecure: true });
    const res = await client.fetch('/v2/', {}, '');
    assert.equal(res.status, 200);
  });
});
