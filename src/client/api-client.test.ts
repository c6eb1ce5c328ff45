import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';

import { createClient, escapePath } from './api-client.js';

let dir = '';
let server: http.Server | undefined;
let socket = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moor-api-client-test-'));
  socket = join(dir, 'api.sock');
  server = http.createServer((req, res) => {
    if (req.url === '/_ping') {
      res.setHeader('Api-Version', '1.51');
      res.end('OK');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          url: req.url,
          chunked: req.headers['transfer-encoding'] === 'chunked',
          type: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server?.listen(socket, resolve));
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

test('list query values repeat their key; uploads stream chunked', async () => {
  const client = createClient({ host: `unix://${socket}` });
  try {
    const echoed = await client.json<Record<string, unknown>>('POST', '/images/create', {
      query: { changes: ['CMD ["sh"]', 'ENV A=1'], tag: '', skipped: undefined },
      upload: Readable.from([Buffer.from('part one, '), Buffer.from('part two')]),
      headers: { 'Content-Type': 'application/x-tar' },
    });
    assert.deepEqual(echoed, {
      url: '/v1.51/images/create?changes=CMD+%5B%22sh%22%5D&changes=ENV+A%3D1&tag=',
      chunked: true,
      type: 'application/x-tar',
      body: 'part one, part two',
    });
  } finally {
    client.close();
  }
});

test('a failing upload rejects the request', async () => {
  const client = createClient({ host: `unix://${socket}` });
  async function* failing(): AsyncGenerator<Buffer> {
    yield Buffer.from('x');
    await Promise.resolve();
    throw new Error('disk gone');
  }
  try {
    await assert.rejects(client.json('POST', '/images/load', { upload: failing() }), /disk gone/);
  } finally {
    client.close();
  }
});

test('escapePath keeps what Go keeps in a path', () => {
  assert.equal(escapePath('localhost:5000/app:v1'), 'localhost:5000/app:v1');
  assert.equal(escapePath('busybox@sha256:ab'), 'busybox@sha256:ab');
  assert.equal(escapePath('a b?c#d%'), 'a%20b%3Fc%23d%25');
});
