import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RLIM_INFINITY, type RuntimeSpec, serializeRuntimeSpec } from './oci-spec.js';

const spec: RuntimeSpec = {
  ociVersion: '1.0.2',
  process: {
    user: { uid: 0, gid: 0 },
    args: ['sh'],
    cwd: '/',
    rlimits: [{ type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY }],
  },
  root: { path: '/r' },
  mounts: [],
  linux: { namespaces: [] },
};

test('serializeRuntimeSpec writes RLIM_INFINITY as an exact integer', () => {
  const text = serializeRuntimeSpec(spec);
  assert.match(text, /"soft":18446744073709551615,"hard":18446744073709551615/);
  assert.throws(() => JSON.stringify(spec), TypeError);
});

test('serializeRuntimeSpec output is JSON and can be indented', () => {
  const parsed = JSON.parse(serializeRuntimeSpec(spec, 2)) as { process: { args: string[] } };
  assert.deepEqual(parsed.process.args, ['sh']);
  assert.match(serializeRuntimeSpec(spec, 2), /\n {2}"process"/);
});
