import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isMoorError } from '../core/index.js';
import {
  familiarName,
  familiarString,
  formatReference,
  isFullImageId,
  isValidTag,
  parseReference,
  repositoryName,
  toDockerRef,
  withDefaultTag,
  withTag,
} from './reference.js';

const HEX = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const DIGEST = `sha256:${HEX}`;

function rejects(text: string, message: string | RegExp): void {
  assert.throws(
    () => parseReference(text),
    (err: unknown) => {
      assert.ok(isMoorError(err, 'InvalidArgument'), `${text}: expected InvalidArgument`);
      if (typeof message === 'string') assert.equal(err.message, message, text);
      else assert.match(err.message, message, text);
      return true;
    },
  );
}

describe('parseReference normalises as docker does', () => {
  const cases: [string, string, string, string][] = [
    // input, domain, path, full form
    ['busybox', 'docker.io', 'library/busybox', 'docker.io/library/busybox'],
    ['library/busybox', 'docker.io', 'library/busybox', 'docker.io/library/busybox'],
    ['docker.io/busybox:1.0', 'docker.io', 'library/busybox', 'docker.io/library/busybox:1.0'],
    ['index.docker.io/debian', 'docker.io', 'library/debian', 'docker.io/library/debian'],
    ['index.docker.io/docker/docker', 'docker.io', 'docker/docker', 'docker.io/docker/docker'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar', 'docker.io/library/foo/bar'],
    ['team/app', 'docker.io', 'team/app', 'docker.io/team/app'],
    ['test_com/foo', 'docker.io', 'test_com/foo', 'docker.io/test_com/foo'],
    ['localhost/foo', 'localhost', 'foo', 'localhost/foo'],
    ['localhost:5000/foo/bar:tag', 'localhost:5000', 'foo/bar', 'localhost:5000/foo/bar:tag'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000', 'x', '127.0.0.1:5000/x'],
    ['test-com:8080/foo', 'test-com:8080', 'foo', 'test-com:8080/foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo', 'xn--n3h.com:18080/foo'],
    ['[fc00::1]:5000/docker', '[fc00::1]:5000', 'docker', '[fc00::1]:5000/docker'],
    ['foo.Bar.com/x', 'foo.Bar.com', 'x', 'foo.Bar.com/x'],
    ['Foo/bar', 'Foo', 'bar', 'Foo/bar'],
    ['192.168.0.1', 'docker.io', 'library/192.168.0.1', 'docker.io/library/192.168.0.1'],
    ['dock__er/docker', 'docker.io', 'dock__er/docker', 'docker.io/dock__er/docker'],
    [
      'docker---rules/docker',
      'docker.io',
      'docker---rules/docker',
      'docker.io/docker---rules/docker',
    ],
    [`foo@${DIGEST}`, 'docker.io', 'library/foo', `docker.io/library/foo@${DIGEST}`],
    [`foo:tag@${DIGEST}`, 'docker.io', 'library/foo', `docker.io/library/foo:tag@${DIGEST}`],
    [`docker.io/${HEX}`, 'docker.io', `library/${HEX}`, `docker.io/library/${HEX}`],
    [
      'busybox:Latest_1.2-x',
      'docker.io',
      'library/busybox',
      'docker.io/library/busybox:Latest_1.2-x',
    ],
  ];
  for (const [input, domain, path, full] of cases) {
    test(input, () => {
      const ref = parseReference(input);
      assert.equal(ref.domain, domain);
      assert.equal(ref.path, path);
      assert.equal(formatReference(ref), full);
    });
  }

  test('tag and digest are split out', () => {
    const ref = parseReference(`localhost:5000/foo/bar:v1@${DIGEST}`);
    assert.deepEqual(ref, { domain: 'localhost:5000', path: 'foo/bar', tag: 'v1', digest: DIGEST });
    assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox' });
  });
});

describe('parseReference rejects with docker messages', () => {
  test('uppercase repository names', () => {
    rejects(
      'Busybox',
      'invalid reference format: repository name (library/Busybox) must be lowercase',
    );
    rejects('Foo', 'invalid reference format: repository name (library/Foo) must be lowercase');
    rejects(
      'docker/Docker',
      'invalid reference format: repository name (docker/Docker) must be lowercase',
    );
    rejects('docker.io/docker/Docker', /repository name \(docker\/Docker\) must be lowercase/);
    rejects('localhost:5000/Foo:tag', /repository name \(Foo\) must be lowercase/);
  });

  test('64-hex ids as names', () => {
    rejects(HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`);
    assert.ok(isFullImageId(HEX));
    assert.ok(!isFullImageId(HEX.slice(1)));
    // 63 hex characters is a fine name
    assert.equal(parseReference(HEX.slice(1)).path, `library/${HEX.slice(1)}`);
  });

  test('bad formats', () => {
    const invalid = [
      '',
      'https://github.com/docker/docker',
      '-docker',
      '-docker/docker',
      'docker-/docker',
      '-docker.io/docker/docker',
      'docker///docker',
      'docker.io/docker///docker',
      '[fc00::1]',
      '[fc00::1]:5000',
      'fc00::1:5000/debian',
      '[fe80::1%eth0]:5000/debian',
      '____/____',
      '_docker/_docker',
      'dock..er/docker',
      'dock_.er/docker',
      'dock-.er/docker',
      'docker/',
      'foo:',
      'foo@',
      'foo bar',
      'busybox:-tag',
      'busybox:.tag',
      `busybox:${'a'.repeat(129)}`,
    ];
    for (const text of invalid) rejects(text, 'invalid reference format');
  });

  test('valid tag edges', () => {
    assert.equal(parseReference(`busybox:${'a'.repeat(128)}`).tag, 'a'.repeat(128));
    assert.equal(parseReference('busybox:_x').tag, '_x');
  });

  test('names longer than 255 characters', () => {
    rejects(`${'a'.repeat(256)}/docker`, 'repository name must not be more than 255 characters');
  });

  test('digests', () => {
    rejects(`foo@sha256:${HEX.slice(0, 40)}`, 'invalid checksum digest length');
    rejects(`foo@sha256:${HEX.toUpperCase()}`, 'invalid checksum digest format');
    rejects(`foo@md5:${HEX.slice(0, 32)}`, 'unsupported digest algorithm');
    rejects('foo@sha256:abc', 'invalid reference format');
  });
});

describe('familiar forms', () => {
  const cases: [string, string][] = [
    ['busybox', 'busybox'],
    ['docker.io/library/ubuntu', 'ubuntu'],
    ['library/ubuntu-12.04-base', 'ubuntu-12.04-base'],
    ['docker.io/foo', 'foo'],
    ['fooo/bar', 'fooo/bar'],
    ['index.docker.io/fooo/bar', 'fooo/bar'],
    ['docker.io/library/foo/bar', 'library/foo/bar'],
    ['other/library', 'other/library'],
    ['store/foo/bar', 'store/foo/bar'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase'],
    ['example.com/privatebase', 'example.com/privatebase'],
    ['localhost:5000/x', 'localhost:5000/x'],
    ['FOO/bar', 'FOO/bar'],
  ];
  for (const [input, familiar] of cases) {
    test(`${input} → ${familiar}`, () => {
      const ref = parseReference(input);
      assert.equal(familiarName(ref), familiar);
      // the familiar name parses back to the same reference
      assert.deepEqual(parseReference(familiar), ref);
    });
  }

  test('familiarString keeps tag and digest', () => {
    assert.equal(familiarString(withDefaultTag(parseReference('busybox'))), 'busybox:latest');
    const both = `busybox:latest@sha256:${HEX}`;
    assert.equal(familiarString(parseReference(both)), both);
    assert.equal(familiarString(parseReference(`team/app@${DIGEST}`)), `team/app@${DIGEST}`);
    assert.equal(familiarString(parseReference('localhost:5000/x:1')), 'localhost:5000/x:1');
  });

  test('repositoryName is domain and path', () => {
    assert.equal(repositoryName(parseReference('busybox:1')), 'docker.io/library/busybox');
    assert.equal(repositoryName(parseReference('localhost/foo')), 'localhost/foo');
  });
});

describe('tags', () => {
  test('withDefaultTag adds latest only to bare names', () => {
    assert.equal(withDefaultTag(parseReference('busybox')).tag, 'latest');
    assert.equal(withDefaultTag(parseReference('busybox:1')).tag, '1');
    const pinned = withDefaultTag(parseReference(`busybox@${DIGEST}`));
    assert.equal(pinned.tag, undefined);
    assert.equal(formatReference(pinned), `docker.io/library/busybox@${DIGEST}`);
  });

  test('toDockerRef lets a digest win over a tag', () => {
    assert.equal(
      formatReference(toDockerRef(parseReference(`busybox:1@${DIGEST}`))),
      `docker.io/library/busybox@${DIGEST}`,
    );
    assert.equal(
      formatReference(toDockerRef(parseReference('busybox'))),
      'docker.io/library/busybox:latest',
    );
  });

  test('isValidTag and withTag', () => {
    for (const good of ['latest', '1.0', 'v1_2-3', '_', 'A'.repeat(128)])
      assert.ok(isValidTag(good), good);
    for (const bad of ['', '-x', '.x', 'a:b', 'a/b', 'A'.repeat(129), 'tag!']) {
      assert.ok(!isValidTag(bad), bad);
    }
    assert.equal(withTag(parseReference('busybox'), 'v2').tag, 'v2');
    assert.throws(
      () => withTag(parseReference('busybox'), '-v2'),
      /^MoorError: invalid tag format$/,
    );
  });

  test('formatReference tolerates an explicit undefined tag', () => {
    const ref = { ...parseReference('busybox:1'), tag: undefined };
    assert.equal(formatReference(ref), 'docker.io/library/busybox');
  });
});
