import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, test } from 'node:test';

import type { CommitOptions } from '../../containers/index.js';
import { createLogger, notFound } from '../../core/index.js';
import { createApiHandler } from '../server.js';
import { commitBodyConfig, commitRoutes, repoTagReference } from './commit.js';

const IMAGE_ID = `sha256:${'1'.repeat(64)}`;
let calls: Array<{ container: string; options: CommitOptions }> = [];

const server = http.createServer(
  createApiHandler({
    logger: createLogger('error', () => undefined),
    routes: commitRoutes({
      commit(container, options) {
        if (container === 'nosuch') throw notFound('No such container: nosuch');
        calls.push({ container, options });
        return Promise.resolve(IMAGE_ID);
      },
    }),
  }),
);
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls = [];
});

function post(path: string, body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('201 with the image id; the query becomes the options (pause by default)', async () => {
  const res = await post(
    '/v1.51/commit?container=web&repo=team/app&tag=v1&author=Jane&comment=msg' +
      '&changes=CMD%20%5B%22sh%22%5D&changes=ENV%20A%3D1&changes=',
  );
  assert.equal(res.status, 201);
  assert.deepEqual(res.json, { Id: IMAGE_ID });
  const [call] = calls;
  assert.equal(call?.container, 'web');
  const { signal, ...options } = call?.options ?? { pause: false };
  assert.ok(signal instanceof AbortSignal);
  assert.deepEqual(options, {
    pause: true,
    author: 'Jane',
    comment: 'msg',
    changes: ['CMD ["sh"]', 'ENV A=1'],
    reference: 'docker.io/team/app:v1',
  });
});

test('pause=0 and pause=false do not pause; a tag without a repo tags nothing', async () => {
  await post('/commit?container=web&pause=0&tag=v1');
  await post('/commit?container=web&pause=false');
  assert.deepEqual(
    calls.map((c) => [c.options.pause, c.options.reference]),
    [
      [false, undefined],
      [false, undefined],
    ],
  );
});

test("dockerd's errors: no container, bad references, a missing container", async () => {
  const cases: Array<[string, number, string]> = [
    ['/commit', 400, 'invalid name or ID supplied: ""'],
    ['/commit?container=web&repo=Bad', 400, 'repository name (library/Bad) must be lowercase'],
    ['/commit?container=web&repo=app&tag=b@d', 400, 'invalid tag format'],
    [`/commit?container=web&repo=app@sha256:${'2'.repeat(64)}`, 400, 'cannot import digest'],
    ['/commit?container=nosuch', 404, 'No such container: nosuch'],
  ];
  for (const [path, status, message] of cases) {
    const res = await post(path);
    assert.equal(res.status, status, path);
    assert.ok(
      String((res.json as { message: string }).message).includes(message),
      `${path}: ${JSON.stringify(res.json)}`,
    );
  }
  assert.equal(calls.length, 0);
});

test('a body sets the config only when it has config fields', async () => {
  await post('/commit?container=web', '{"Cmd":["ls"],"env":["A=1"],"HostConfig":{}}');
  await post('/commit?container=web', '{}');
  await post('/commit?container=web', 'null');
  await post('/commit?container=web', '{"HostConfig":{"Memory":1}}');
  assert.deepEqual(
    calls.map((c) => c.options.config),
    [{ Cmd: ['ls'], Env: ['A=1'] }, undefined, undefined, undefined],
  );
  const bad = await post('/commit?container=web', '{"Env":"A=1"}');
  assert.equal(bad.status, 400);
});

test('repo and tag as dockerd reads them', () => {
  assert.equal(repoTagReference('', 'v1'), undefined);
  assert.equal(repoTagReference('app', ''), 'docker.io/library/app:latest');
  assert.equal(repoTagReference('app:v1', ''), 'docker.io/library/app:v1');
  assert.equal(repoTagReference('app:v1', 'v2'), 'docker.io/library/app:v2');
  assert.equal(repoTagReference('localhost:5000/x', 'y'), 'localhost:5000/x:y');
});

test('Cmd and Entrypoint may be strings; null values are kept for lists', () => {
  assert.deepEqual(commitBodyConfig({ Cmd: 'ls', Entrypoint: null }), {
    Cmd: ['ls'],
    Entrypoint: null,
  });
  assert.throws(() => commitBodyConfig([1]), /invalid JSON/);
  assert.throws(() => commitBodyConfig({ Labels: { a: 1 } }), /Labels/);
});
