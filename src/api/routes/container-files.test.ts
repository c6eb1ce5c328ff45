import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import type { FilesystemChange, PathStat } from '../../api-types/index.js';
import { createLogger, notFound } from '../../core/index.js';
import { createApiHandler } from '../server.js';
import { type ContainerFilesBackend, containerFileRoutes } from './container-files.js';

const stat: PathStat = {
  name: 'hello.txt',
  size: 6,
  mode: 0o644,
  mtime: '2024-01-02T03:04:05Z',
  linkTarget: '',
};

/** What the fake backend saw, and what it answers. */
const seen: { puts: Array<{ path: string; body: string; options: object }>; released: number } = {
  puts: [],
  released: 0,
};
let changes: FilesystemChange[] = [];

async function* bytes(text: string): AsyncGenerator<Buffer> {
  await Promise.resolve();
  yield Buffer.from(text);
}

async function* endless(): AsyncGenerator<Buffer> {
  try {
    for (;;) {
      yield Buffer.alloc(64 * 1024, 1);
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    seen.released++;
  }
}

const backend: ContainerFilesBackend = {
  statPath: (ref, path) => {
    if (path !== '/hello.txt')
      throw notFound(`Could not find the file ${path} in container ${ref}`);
    return Promise.resolve(stat);
  },
  archivePath: async (_ref, path, _signal, send) => {
    if (path === '/endless') return send(stat, endless());
    await send(stat, bytes('tar bytes'));
  },
  extractArchive: async (_ref, path, tar, options) => {
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(chunk);
    seen.puts.push({
      path,
      body: Buffer.concat(chunks).toString(),
      options: {
        noOverwriteDirNonDir: options.noOverwriteDirNonDir,
        copyUIDGID: options.copyUIDGID,
      },
    });
  },
  exportRootfs: (_ref, _signal, send) => send(bytes('whole rootfs')),
  changes: () => Promise.resolve(changes),
};

const logLines: string[] = [];
const server = http.createServer(
  createApiHandler({
    logger: createLogger('debug', (line) => logLines.push(line)),
    routes: containerFileRoutes(backend),
  }),
);
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function request(
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decodeStat(header: string | string[] | undefined): unknown {
  return JSON.parse(Buffer.from(String(header), 'base64').toString('utf8'));
}

test('HEAD archive: the path stat header; a missing path is a 404 without body', async () => {
  const found = await request('HEAD', '/v1.51/containers/c1/archive?path=%2Fhello.txt');
  assert.equal(found.status, 200);
  assert.deepEqual(decodeStat(found.headers['x-docker-container-path-stat']), stat);
  const missing = await request('HEAD', '/containers/c1/archive?path=/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '');
});

test('GET archive: a tar with the stat header; path is required', async () => {
  const res = await request('GET', '/containers/c1/archive?path=/hello.txt');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/x-tar');
  assert.deepEqual(decodeStat(res.headers['x-docker-container-path-stat']), stat);
  assert.equal(res.text, 'tar bytes');
  const empty = await request('GET', '/containers/c1/archive?path=');
  assert.equal(empty.status, 400);
  assert.deepEqual(JSON.parse(empty.text), { message: 'bad parameter: path cannot be empty' });
});

test('GET archive: a client leaving mid-archive releases the stream and logs no error', async () => {
  const before = seen.released;
  await new Promise<void>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/containers/c1/archive?path=/endless',
    });
    req.on('response', (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
  for (let i = 0; i < 100 && seen.released === before; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(seen.released, before + 1);
  assert.equal(logLines.filter((l) => l.includes('API request failed')).length, 0);
});

test('PUT archive: the body and the flags reach the backend; the reply is an empty 200', async () => {
  const res = await request(
    'PUT',
    '/containers/c1/archive?path=/tmp&noOverwriteDirNonDir=true&copyUIDGID=1',
    'uploaded tar',
  );
  assert.equal(res.status, 200);
  assert.equal(res.text, '');
  assert.deepEqual(seen.puts.at(-1), {
    path: '/tmp',
    body: 'uploaded tar',
    options: { noOverwriteDirNonDir: true, copyUIDGID: true },
  });
  const plain = await request('PUT', '/containers/c1/archive?path=/tmp', 'x');
  assert.equal(plain.status, 200);
  assert.deepEqual(seen.puts.at(-1)?.options, { noOverwriteDirNonDir: false, copyUIDGID: false });
  const bad = await request('PUT', '/containers/c1/archive?path=/tmp&copyUIDGID=maybe', 'x');
  assert.equal(bad.status, 400);
});

test('export streams the tar; changes are a list, or null when there are none (as dockerd)', async () => {
  const exported = await request('GET', '/containers/c1/export');
  assert.equal(exported.status, 200);
  assert.equal(exported.headers['content-type'], 'application/x-tar');
  assert.equal(exported.text, 'whole rootfs');
  changes = [];
  assert.equal((await request('GET', '/containers/c1/changes')).text, 'null\n');
  changes = [
    { Path: '/etc', Kind: 0 },
    { Path: '/etc/new', Kind: 1 },
  ];
  assert.deepEqual(JSON.parse((await request('GET', '/containers/c1/changes')).text), changes);
});
