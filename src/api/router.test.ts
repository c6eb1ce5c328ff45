import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createRouter } from './router.js';

const noop = () => undefined;
const router = createRouter([
  { method: 'GET', path: '/containers/{id}/json', handler: noop },
  { method: 'GET', path: '/images/{name:.*}/json', handler: noop },
  { method: 'HEAD', path: '/_ping', handler: noop },
  { method: 'GET', path: '/_ping', handler: noop },
]);

test('route parameters are decoded', () => {
  const m = router.match('GET', '/containers/my%20box/json');
  assert.equal(m.kind, 'found');
  assert.deepEqual(m.kind === 'found' && m.params, { id: 'my box' });
});

test('a greedy parameter spans slashes (image names with registries)', () => {
  const m = router.match('GET', '/images/localhost:5000/team/app:v1/json');
  assert.deepEqual(m.kind === 'found' && m.params, { name: 'localhost:5000/team/app:v1' });
});

test('a known path with another method is told apart from an unknown path', () => {
  assert.deepEqual(router.match('POST', '/containers/x/json'), {
    kind: 'wrong-method',
    allowed: ['GET'],
  });
  assert.deepEqual(router.match('GET', '/nothing/here'), { kind: 'none' });
});

test('HEAD falls back to GET routes', () => {
  assert.equal(router.match('HEAD', '/containers/x/json').kind, 'found');
  assert.equal(router.match('HEAD', '/_ping').kind, 'found');
});
