import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildProcessEnv, mergeImageEnv, replaceOrAppendEnv, withHomeEnv } from './process-env.js';
import { DEFAULT_PATH_ENV } from './spec-defaults.js';

test('mergeImageEnv puts the request first, then image keys it does not set', () => {
  assert.deepEqual(mergeImageEnv(['PATH=/img', 'A=1', 'B=2'], ['B=3', 'C=4']), [
    'B=3',
    'C=4',
    'PATH=/img',
    'A=1',
  ]);
  assert.deepEqual(mergeImageEnv(['A=1'], []), ['A=1']);
});

test('replaceOrAppendEnv replaces in place, appends new keys, removes bare keys', () => {
  assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2', 'C=3'], ['B=x', 'D=4', 'A', 'D=5']), [
    'B=x',
    'C=3',
    'D=5',
  ]);
});

test('default env: PATH, HOSTNAME, then HOME when nothing sets them', () => {
  const env = buildProcessEnv({
    hostname: 'abc123',
    imageEnv: [],
    requestEnv: [],
    tty: false,
    home: '/root',
  });
  assert.deepEqual(env, [`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=abc123', 'HOME=/root']);
});

test('TERM=xterm with a TTY; image PATH replaces the default in place; request wins', () => {
  const env = buildProcessEnv({
    hostname: 'h',
    imageEnv: ['PATH=/opt/bin', 'LANG=C', 'HOME=/srv'],
    requestEnv: ['LANG=C.UTF-8', 'X=1'],
    tty: true,
    home: '/root',
  });
  assert.deepEqual(env, [
    'PATH=/opt/bin',
    'HOSTNAME=h',
    'TERM=xterm',
    'LANG=C.UTF-8',
    'X=1',
    'HOME=/srv',
  ]);
});

test('a request can override HOSTNAME and TERM; links come before the env', () => {
  const env = buildProcessEnv({
    hostname: 'h',
    imageEnv: [],
    requestEnv: ['HOSTNAME=other', 'TERM=dumb'],
    tty: true,
    linkedEnv: ['DB_PORT=tcp://172.17.0.2:5432'],
  });
  assert.deepEqual(env, [
    `PATH=${DEFAULT_PATH_ENV}`,
    'HOSTNAME=other',
    'TERM=dumb',
    'DB_PORT=tcp://172.17.0.2:5432',
  ]);
});

test('withHomeEnv keeps an existing HOME and defaults an empty home to /', () => {
  assert.deepEqual(withHomeEnv(['HOME=/x'], '/root'), ['HOME=/x']);
  assert.deepEqual(withHomeEnv([], ''), ['HOME=/']);
});
