import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { createLogger } from '../core/index.js';
import type { EngineInfo, EngineVersion } from '../system/index.js';
import { readJsonBody } from './request.js';
import { systemRoutes } from './routes/system.js';
import { createApiHandler } from './server.js';

const version: EngineVersion = {
  version: '0.0.0-test',
  os: 'linux',
  arch: 'amd64',
  kernelVersion: '6.1.0',
  runtimeVersion: 'node20',
  tools: {},
};

const logLines: string[] = [];
const handler = createApiHandler({
  logger: createLogger('debug', (line) => logLines.push(line)),
  routes: [
    ...systemRoutes({
      version: () => Promise.resolve(version),
      info: (): Promise<EngineInfo> => Promise.reject(new Error('not used here')),
    }),
    {
      method: 'POST',
      path: '/echo',
      handler: async (ctx) => ({ status: 201, body: { got: await readJsonBody(ctx.req) } }),
    },
  ],
});
const server = http.createServer(handler);
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
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('API versions: 1.23 too old, 1.24 and 1.51 served, 1.52 too new, unversioned served', async () => {
  const old = await request('GET', '/v1.23/version');
  assert.equal(old.status, 400);
  assert.deepEqual(JSON.parse(old.text), {
    message:
      'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
  });
  for (const path of ['/v1.24/version', '/v1.51/version', '/version']) {
    const ok = await request('GET', path);
    assert.equal(ok.status, 200, path);
    assert.equal(JSON.parse(ok.text).ApiVersion, '1.51');
  }
  const tooNew = await request('GET', '/v1.52/version');
  assert.equal(tooNew.status, 400);
  assert.match(JSON.parse(tooNew.text).message, /client version 1.52 is too new/);
});

test('_ping answers GET and HEAD with Docker headers', async () => {
  for (const method of ['GET', 'HEAD']) {
    const res = await request(method, '/_ping');
    assert.equal(res.status, 200);
    assert.equal(res.text, method === 'GET' ? 'OK' : '');
    assert.equal(res.headers['api-version'], '1.51');
    assert.equal(res.headers['ostype'], 'linux');
    assert.equal(res.headers['swarm'], 'inactive');
    assert.equal(res.headers['builder-version'], '1');
  }
});

test('unknown routes are 404 and wrong methods 405, with JSON error bodies', async () => {
  const missing = await request('GET', '/v1.45/no/such/thing');
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.text), { message: 'page not found' });
  const wrong = await request('DELETE', '/version');
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers['allow'], 'GET');
  assert.equal(typeof JSON.parse(wrong.text).message, 'string');
});

test('malformed JSON and oversized bodies are 400, and the server keeps serving', async () => {
  const bad = await request('POST', '/echo', '{"a":', { 'Content-Type': 'application/json' });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.text).message, /^invalid JSON/);
  const wrongType = await request('POST', '/echo', '{}', { 'Content-Type': 'text/plain' });
  assert.equal(wrongType.status, 400);
  assert.match(
    JSON.parse(wrongType.text).message,
    /unsupported Content-Type header \(text\/plain\)/,
  );
  const huge = await request('POST', '/echo', 'x'.repeat(17 * 1024 * 1024), {
    'Content-Type': 'application/json',
  });
  assert.equal(huge.status, 400);
  assert.match(JSON.parse(huge.text).message, /too large/);
  const good = await request('POST', '/echo', '{"a":1}', { 'Content-Type': 'application/json' });
  assert.equal(good.status, 201);
  assert.deepEqual(JSON.parse(good.text), { got: { a: 1 } });
});

test('an unclassified error is a 500 with its message, logged with its stack', async () => {
  const res = await request('GET', '/info');
  assert.equal(res.status, 500);
  assert.deepEqual(JSON.parse(res.text), { message: 'not used here' });
  assert.ok(logLines.some((l) => l.includes('level=error') && l.includes('not used here')));
});

test('requests are logged at debug level with method, path, status and duration', () => {
  const line = logLines.find((l) => l.includes('path=/v1.51/version'));
  assert.ok(line);
  assert.match(
    line,
    /level=debug msg="API request" method=GET path=\/v1.51\/version status=200 duration=[\d.]+ms/,
  );
});
