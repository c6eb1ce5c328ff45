import assert from 'node:assert/strict';
import { test } from 'node:test';

import { sha256Digest } from './digest.js';
import { layerHistory, parseImageConfig } from './image-config.js';

const a = sha256Digest('a');
const b = sha256Digest('b');
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const config = {
  architecture: 'amd64',
  os: 'linux',
  created: '2024-01-01T00:00:00Z',
  config: {
    Env: ['PATH=/bin'],
    Cmd: ['sh'],
    Labels: null,
    Volumes: null,
    ExposedPorts: { '80/tcp': {} },
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5e9 },
  },
  container_config: { Hostname: 'abc', Cmd: ['/bin/sh', '-c', '#(nop) ADD file'], OnBuild: null },
  rootfs: { type: 'layers', diff_ids: [a, b] },
  history: [
    { created_by: 'ADD file', created: '2024-01-01T00:00:00Z' },
    { created_by: 'ENV x', empty_layer: true },
    { created_by: 'RUN y' },
  ],
  'moby.buildkit.buildinfo.v1': 'e30=',
};

test('parseImageConfig keeps every field', () => {
  const parsed = parseImageConfig(json(config));
  assert.equal(parsed.architecture, 'amd64');
  assert.deepEqual(parsed.rootfs.diff_ids, [a, b]);
  assert.equal(parsed.config?.Labels, null);
  assert.equal(parsed.container_config?.Hostname, 'abc');
  assert.deepEqual(JSON.parse(JSON.stringify(parsed)), config);
  assert.deepEqual(
    layerHistory(parsed).map((h) => h.created_by),
    ['ADD file', 'RUN y'],
  );
});

test('parseImageConfig reads Go zero values for missing fields', () => {
  const parsed = parseImageConfig(json({ rootfs: { type: 'layers' } }));
  assert.equal(parsed.architecture, '');
  assert.equal(parsed.os, '');
  assert.deepEqual(parsed.rootfs.diff_ids, []);
  // no history, or an empty one, is not checked against the layers
  assert.ok(parseImageConfig(json({ ...config, history: [] })));
  const noHistory = { ...config, history: undefined };
  assert.ok(parseImageConfig(json(noHistory)));
});

test('parseImageConfig rejects invalid configs', () => {
  const bad: [unknown, string][] = [
    ['{', 'invalid image config: '],
    ['[]', 'invalid image config: expected a JSON object, got array'],
    [{ ...config, rootfs: undefined }, 'invalid image config: no rootfs'],
    [
      { ...config, rootfs: { type: 'tar', diff_ids: [] } },
      'invalid image config: rootfs type must be "layers", not "tar"',
    ],
    [
      { ...config, rootfs: { type: 'layers', diff_ids: ['sha256:abc'] } },
      'invalid image config: invalid diff id "sha256:abc"',
    ],
    [
      { ...config, rootfs: { type: 'layers', diff_ids: {} } },
      'invalid image config: rootfs.diff_ids must be an array',
    ],
    [{ ...config, architecture: 5 }, 'invalid image config: architecture must be a string'],
    [
      { ...config, history: [{ created_by: 'x' }] },
      'invalid image config: history has 1 non-empty layers but rootfs has 2 diff ids',
    ],
    [{ ...config, history: {} }, 'invalid image config: history must be an array'],
    [
      { ...config, history: [{}, { empty_layer: 'yes' }] },
      'invalid image config: history[1].empty_layer must be a boolean',
    ],
    [
      { ...config, config: { Env: 'A=1' } },
      'invalid image config: config.Env must be a list of strings',
    ],
    [
      { ...config, config: { Labels: { a: 1 } } },
      'invalid image config: config.Labels must map strings to strings',
    ],
    [{ ...config, config: 'x' }, 'invalid image config: config must be an object'],
    [
      { ...config, container_config: { Tty: 'yes' } },
      'invalid image config: container_config.Tty must be a boolean',
    ],
  ];
  for (const [body, message] of bad) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : json(body);
    assert.throws(
      () => parseImageConfig(bytes),
      (err: Error) => {
        assert.ok(err.message.startsWith(message), `${err.message} should start with ${message}`);
        return true;
      },
    );
  }
});
