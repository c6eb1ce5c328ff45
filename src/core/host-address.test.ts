import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatHostAddress, isLoopbackHost, parseHostAddress } from './host-address.js';

test('unix addresses, with the default socket for unix://', () => {
  assert.deepEqual(parseHostAddress('unix:///tmp/x.sock', false), {
    kind: 'unix',
    path: '/tmp/x.sock',
  });
  assert.deepEqual(parseHostAddress('unix://', false), { kind: 'unix', path: '/run/moor.sock' });
  assert.deepEqual(parseHostAddress('/tmp/y.sock', false), { kind: 'unix', path: '/tmp/y.sock' });
});

test('tcp addresses default their port by TLS, and their host to localhost', () => {
  assert.deepEqual(parseHostAddress('tcp://10.0.0.1', false), {
    kind: 'tcp',
    host: '10.0.0.1',
    port: 2375,
  });
  assert.deepEqual(parseHostAddress('tcp://10.0.0.1', true), {
    kind: 'tcp',
    host: '10.0.0.1',
    port: 2376,
  });
  assert.deepEqual(parseHostAddress('tcp://:4000', false), {
    kind: 'tcp',
    host: '127.0.0.1',
    port: 4000,
  });
  assert.deepEqual(parseHostAddress('tcp://[::1]:2376', true), {
    kind: 'tcp',
    host: '::1',
    port: 2376,
  });
  assert.equal(formatHostAddress({ kind: 'tcp', host: '::1', port: 1 }), 'tcp://[::1]:1');
});

test('fd:// and unknown schemes are refused clearly', () => {
  assert.throws(
    () => parseHostAddress('fd://', false),
    /systemd socket activation\) is not supported/,
  );
  assert.throws(() => parseHostAddress('ssh://me@host', false), /unsupported protocol ssh/);
  assert.throws(() => parseHostAddress('tcp://h:99999', false), /invalid port/);
});

test('loopback detection', () => {
  assert.ok(isLoopbackHost('127.0.0.1'));
  assert.ok(isLoopbackHost('127.3.2.1'));
  assert.ok(isLoopbackHost('::1'));
  assert.ok(isLoopbackHost('localhost'));
  assert.ok(!isLoopbackHost('0.0.0.0'));
  assert.ok(!isLoopbackHost('192.168.1.1'));
});
