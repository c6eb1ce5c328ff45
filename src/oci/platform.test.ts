import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  compatiblePlatforms,
  currentPlatform,
  formatPlatform,
  normalizePlatform,
  parsePlatform,
  samePlatform,
} from './platform.js';

test('currentPlatform maps node architectures to OCI names', () => {
  const p = currentPlatform();
  assert.equal(p.os, 'linux');
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm' };
  if (expected[process.arch]) assert.equal(p.architecture, expected[process.arch]);
  if (process.arch === 'arm64') assert.equal(p.variant, 'v8');
  if (process.arch === 'x64') assert.equal(p.variant, undefined);
});

test('normalizePlatform resolves aliases and default variants', () => {
  const n = (architecture: string, variant?: string) =>
    formatPlatform(normalizePlatform({ os: 'Linux', architecture, variant }));
  assert.equal(n('x86_64'), 'linux/amd64');
  assert.equal(n('amd64', 'v1'), 'linux/amd64');
  assert.equal(n('amd64', 'v3'), 'linux/amd64/v3');
  assert.equal(n('aarch64'), 'linux/arm64');
  assert.equal(n('arm64', 'v8'), 'linux/arm64');
  assert.equal(n('arm64', '9'), 'linux/arm64/v9');
  assert.equal(n('arm'), 'linux/arm/v7');
  assert.equal(n('arm', '6'), 'linux/arm/v6');
  assert.equal(n('armhf'), 'linux/arm/v7');
  assert.equal(n('armel'), 'linux/arm/v6');
  assert.equal(n('i386'), 'linux/386');
  assert.ok(
    samePlatform(
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm64' },
    ),
  );
  assert.ok(
    !samePlatform(
      { os: 'linux', architecture: 'arm', variant: 'v6' },
      { os: 'linux', architecture: 'arm' },
    ),
  );
});

test('compatiblePlatforms orders what a host can run, best first', () => {
  const v = (architecture: string, variant?: string) =>
    compatiblePlatforms({ os: 'linux', architecture, variant }).map(formatPlatform);
  assert.deepEqual(v('amd64'), ['linux/amd64', 'linux/386']);
  assert.deepEqual(v('amd64', 'v3'), [
    'linux/amd64/v3',
    'linux/amd64/v2',
    'linux/amd64',
    'linux/386',
  ]);
  assert.deepEqual(v('arm', 'v7'), ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  assert.deepEqual(v('arm64', 'v8'), [
    'linux/arm64',
    'linux/arm/v8',
    'linux/arm/v7',
    'linux/arm/v6',
    'linux/arm/v5',
  ]);
  assert.deepEqual(v('arm64', 'v8.2').slice(0, 3), [
    'linux/arm64/v8.2',
    'linux/arm64/v8.1',
    'linux/arm64',
  ]);
  assert.deepEqual(v('arm64', 'v9').slice(0, 3), [
    'linux/arm64/v9',
    'linux/arm64/v8.5',
    'linux/arm64/v8.4',
  ]);
  assert.deepEqual(v('s390x'), ['linux/s390x']);
});

test('parsePlatform reads --platform values', () => {
  assert.equal(formatPlatform(parsePlatform('linux/amd64')), 'linux/amd64');
  assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64');
  assert.equal(formatPlatform(parsePlatform('Linux/ARM/v6')), 'linux/arm/v6');
  assert.equal(formatPlatform(parsePlatform('linux/arm')), 'linux/arm/v7');
  assert.equal(formatPlatform(parsePlatform('arm64')), 'linux/arm64');
  assert.equal(parsePlatform('linux').os, 'linux');
  assert.equal(
    parsePlatform('linux').architecture,
    normalizePlatform(currentPlatform()).architecture,
  );
  assert.equal(parsePlatform('windows(10.0.17763)/amd64')['os.version'], '10.0.17763');
  assert.throws(() => parsePlatform('foo'), {
    message: '"foo": unknown operating system or architecture: invalid argument',
  });
  assert.throws(() => parsePlatform('linux/*'), {
    message: '"linux/*": wildcards not yet supported: invalid argument',
  });
  assert.throws(() => parsePlatform('a/b/c/d'), {
    message: '"a/b/c/d": cannot parse platform specifier: invalid argument',
  });
  assert.throws(() => parsePlatform('linux/'), /is an invalid component of "linux\/"/);
  assert.throws(() => parsePlatform(''), /is an invalid OS component of ""/);
});
