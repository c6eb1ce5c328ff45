import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isInsecureRegistry, registryDomain } from './distribution-service.js';
import { parseChallenge } from './registry-client.js';

test('insecure registries: loopback always, listed hosts and CIDRs, nothing else', () => {
  const listed = ['127.0.0.0/8', '10.1.0.0/16', 'registry.test:5000'];
  assert.equal(isInsecureRegistry('127.0.0.1:5000', listed), true);
  assert.equal(isInsecureRegistry('localhost:5000', []), true);
  assert.equal(isInsecureRegistry('10.1.2.3', listed), true);
  assert.equal(isInsecureRegistry('10.2.0.1:5000', listed), false);
  assert.equal(isInsecureRegistry('registry.test:5000', listed), true);
  assert.equal(isInsecureRegistry('registry.test:5001', listed), false);
  assert.equal(isInsecureRegistry('docker.io', listed), false);
});

test("a login's server address as a registry domain", () => {
  assert.equal(registryDomain(''), 'docker.io');
  assert.equal(registryDomain('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryDomain('https://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
  assert.equal(registryDomain('registry.test:5000'), 'registry.test:5000');
});

test('authentication challenges', () => {
  assert.deepEqual(
    parseChallenge(
      'Bearer realm="https://auth.test/token",service="registry.test",scope="repository:a/b:pull"',
    ),
    {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.test/token',
        service: 'registry.test',
        scope: 'repository:a/b:pull',
      },
    },
  );
  assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
});
