import assert from 'node:assert/strict';
import { PassThrough, addAbortSignal } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiError, type ApiClient, type RequestOptions } from '../client/index.js';
import { createStatsSet, followContainers } from './stats-watch.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

/** A daemon's answer: a body to stream, or an error to throw. */
type Answer = PassThrough | ApiError;

/** A client whose answers the test hands out by path; requests are recorded. */
function fakeClient(answer: (path: string, query: RequestOptions['query']) => Answer) {
  const requests: string[] = [];
  let containers: { Id: string }[] = [];
  const client = {
    stream(_method: string, path: string, opts: RequestOptions = {}) {
      requests.push(
        `${path}?${new URLSearchParams(opts.query as Record<string, string>).toString()}`,
      );
      const body = answer(path, opts.query);
      if (body instanceof ApiError) return Promise.reject(body);
      if (opts.signal) addAbortSignal(opts.signal, body);
      return Promise.resolve(body);
    },
    json(_method: string, path: string) {
      requests.push(path);
      return Promise.resolve(containers);
    },
  } as unknown as ApiClient;
  return {
    client,
    requests,
    setContainers: (list: string[]) => (containers = list.map((Id) => ({ Id }))),
  };
}

function doc(id: string, name: string, pids: number): string {
  return `${JSON.stringify({ id, name: `/${name}`, pids_stats: { current: pids } })}\n`;
}

const notFound = (name: string) => new ApiError(404, `No such container: ${name}`);

test('named containers: a sample computed into the slot; the daemon’s error kept', async () => {
  const stop = new AbortController();
  const { client, requests } = fakeClient((path) => {
    if (path !== '/containers/web/stats') return notFound('nosuch');
    const body = new PassThrough();
    body.end(doc(ID_A, 'web', 4));
    return body;
  });
  const set = createStatsSet(client, { stream: false, signal: stop.signal });
  assert.equal(set.add('web'), true);
  assert.equal(set.add('nosuch'), true);
  assert.equal(set.add('web'), false);
  await set.waitFirst();
  stop.abort();
  assert.deepEqual(requests, [
    '/containers/web/stats?stream=0',
    '/containers/nosuch/stats?stream=0',
  ]);
  const [web, missing] = set.slots;
  assert.equal(web?.error, undefined);
  assert.deepEqual([web?.entry.name, web?.entry.id, web?.entry.pids], ['/web', ID_A, 4]);
  assert.equal((missing?.error as Error).message, 'No such container: nosuch');
  assert.equal(missing?.entry.invalid, true);
});

test('a stream gone quiet is dropped to `--`; one the daemon ends too', async () => {
  const stop = new AbortController();
  const bodies = new Map<string, PassThrough>();
  const { client } = fakeClient((path) => {
    const body = new PassThrough();
    bodies.set(path, body);
    return body;
  });
  const set = createStatsSet(client, { stream: true, signal: stop.signal, timeoutMs: 100 });
  set.add('quiet');
  set.add('ended');
  bodies.get('/containers/quiet/stats')?.write(doc(ID_A, 'quiet', 1));
  bodies.get('/containers/ended/stats')?.end(doc(ID_B, 'ended', 2));
  await set.waitFirst();
  await sleep(250);
  const [quiet, ended] = set.slots;
  assert.deepEqual([quiet?.entry.invalid, quiet?.entry.name], [true, '/quiet']);
  assert.equal((quiet?.error as Error).message, 'timeout waiting for stats');
  assert.equal(ended?.entry.invalid, true);
  assert.equal((ended?.error as Error).message, 'EOF');
  // A new sample makes it current again.
  bodies.get('/containers/quiet/stats')?.write(doc(ID_A, 'quiet', 3));
  await sleep(20);
  assert.deepEqual([quiet?.entry.invalid, quiet?.entry.pids, quiet?.error], [false, 3, undefined]);
  stop.abort();
});

test('followed through events: started containers join, those that die leave', async () => {
  for (const all of [false, true]) {
    const stop = new AbortController();
    const events = new PassThrough();
    const { client, setContainers, requests } = fakeClient((path) =>
      path === '/events' ? events : new PassThrough(),
    );
    setContainers([ID_A]);
    const set = createStatsSet(client, { stream: true, signal: stop.signal });
    const { ended } = await followContainers(client, set, { all, signal: stop.signal });
    assert.equal(requests[0], '/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D');
    const event = (Action: string, id: string) =>
      events.write(JSON.stringify({ Type: 'container', Action, Actor: { ID: id } }));
    event('create', ID_B);
    event('exec_die', ID_A);
    await sleep(30);
    assert.deepEqual(
      set.slots.map((s) => s.container),
      all ? ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'] : ['aaaaaaaaaaaa'],
    );
    event('start', ID_B);
    event('die', ID_A);
    await sleep(30);
    const expected = all ? ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'] : ['bbbbbbbbbbbb'];
    assert.deepEqual(
      set.slots.map((s) => s.container),
      expected,
    );
    events.end();
    assert.equal(await ended, undefined);
    stop.abort();
  }
});

test('a daemon without /events: the list is asked for again and again', async () => {
  const stop = new AbortController();
  const { client, setContainers } = fakeClient((path) =>
    path === '/events' ? new ApiError(404, 'page not found') : new PassThrough(),
  );
  setContainers([ID_A]);
  const set = createStatsSet(client, { stream: true, signal: stop.signal });
  const { ended } = await followContainers(client, set, {
    all: false,
    signal: stop.signal,
    pollMs: 5,
  });
  assert.deepEqual(
    set.slots.map((s) => s.container),
    ['aaaaaaaaaaaa'],
  );
  setContainers([ID_B]);
  await sleep(50);
  assert.deepEqual(
    set.slots.map((s) => s.container),
    ['bbbbbbbbbbbb'],
  );
  stop.abort();
  assert.equal(await ended, undefined);
});
