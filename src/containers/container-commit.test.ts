import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ContainerConfig, Digest, ImageConfig } from '../oci/index.js';
import {
  commitConfig,
  commitImageConfig,
  mergeContainerConfig,
  withoutEmptyOptional,
} from './container-commit.js';

/** A container as `docker create -e X=1 -e Y=2 -l a=b --entrypoint /bin/echo -w /tmp busybox hello` stores it. */
const container: ContainerConfig = {
  Hostname: '95c464ccd23e',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: true,
  AttachStderr: true,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: ['X=1', 'Y=2'],
  Cmd: ['hello'],
  Image: 'busybox',
  Volumes: null,
  WorkingDir: '/tmp',
  Entrypoint: ['/bin/echo'],
  OnBuild: null,
  Labels: { a: 'b' },
};

test('without a config, the container’s is the image’s; changes apply to it in place', () => {
  assert.deepEqual(commitConfig(container, {}), container);
  const env = commitConfig(container, { changes: ['ENV B=2', 'ENV X=9'] });
  assert.deepEqual(env.Env, ['X=9', 'Y=2', 'B=2']);
  const entrypoint = commitConfig(container, { changes: ['ENTRYPOINT ["/bin/sh"]'] });
  assert.deepEqual([entrypoint.Entrypoint, entrypoint.Cmd], [['/bin/sh'], null]);
  assert.deepEqual(container.Env, ['X=1', 'Y=2'], 'the container’s config is not touched');
});

test('a request config is merged with the container’s as dockerd merges it', () => {
  const merged = commitConfig(container, {
    config: { Env: ['Y=5', 'Z=3'], Cmd: ['ls'] },
    changes: ['LABEL c=d'],
  });
  assert.deepEqual(merged, {
    Env: ['Y=5', 'Z=3', 'X=1'],
    Cmd: ['ls'],
    Labels: { a: 'b', c: 'd' },
    User: '',
    Entrypoint: ['/bin/echo'],
    WorkingDir: '/tmp',
    Volumes: null,
  });
});

test('merge: Cmd only without an Entrypoint, an empty Entrypoint kept, sets joined', () => {
  const from: ContainerConfig = {
    Cmd: ['sh'],
    ArgsEscaped: true,
    Entrypoint: ['/init'],
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/data': {} },
    StopSignal: 'SIGINT',
    User: 'nobody',
  };
  const empty = mergeContainerConfig({}, from);
  assert.deepEqual([empty.Cmd, empty.Entrypoint, empty.ArgsEscaped], [['sh'], ['/init'], true]);
  assert.deepEqual(empty.Labels, {}, 'labels are always a map');
  const withEntrypoint = mergeContainerConfig({ Entrypoint: ['/bin/x'] }, from);
  assert.deepEqual([withEntrypoint.Cmd, withEntrypoint.Entrypoint], [undefined, ['/bin/x']]);
  const emptyEntrypoint = mergeContainerConfig({ Entrypoint: [] }, from);
  assert.deepEqual([emptyEntrypoint.Cmd, emptyEntrypoint.Entrypoint], [['sh'], []]);
  const sets = mergeContainerConfig(
    { ExposedPorts: { '53/udp': {} }, Volumes: { '/logs': {} }, User: 'me', StopSignal: 'SIGHUP' },
    from,
  );
  assert.deepEqual(sets.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(sets.Volumes, { '/logs': {}, '/data': {} });
  assert.deepEqual([sets.User, sets.StopSignal], ['me', 'SIGHUP']);
  assert.deepEqual([empty.User, empty.StopSignal], ['nobody', 'SIGINT']);
});

test('merge: a healthcheck takes what it lacks from the container’s', () => {
  const from: ContainerConfig = {
    Healthcheck: { Test: ['CMD', 'true'], Interval: 5, Timeout: 6, StartPeriod: 7, Retries: 3 },
  };
  assert.deepEqual(mergeContainerConfig({}, from).Healthcheck, from.Healthcheck);
  assert.deepEqual(mergeContainerConfig({ Healthcheck: { Interval: 1 } }, from).Healthcheck, {
    Test: ['CMD', 'true'],
    Interval: 1,
    Timeout: 6,
    StartPeriod: 7,
    Retries: 3,
  });
});

test('a builder’s config is used as it is (no merge), changes still apply', () => {
  const own: ContainerConfig = { Cmd: null, Env: ['PATH=/bin'] };
  const config = commitConfig(container, { config: own, mergeContainerConfig: false });
  assert.deepEqual(config, { Cmd: null, Env: ['PATH=/bin'] });
  const changed = commitConfig(container, {
    config: own,
    changes: ['USER app'],
    mergeContainerConfig: false,
  });
  assert.deepEqual(changed, { Cmd: null, Env: ['PATH=/bin'], User: 'app' });
});

test('empty omitempty fields are left out, as dockerd marshals a config', () => {
  assert.deepEqual(
    withoutEmptyOptional({
      ExposedPorts: null,
      Shell: [],
      StopSignal: '',
      ArgsEscaped: false,
      Healthcheck: {},
      Env: null,
      Cmd: [],
    }),
    { Healthcheck: {}, Env: null, Cmd: [] },
  );
});

const LAYER_A: Digest = `sha256:${'a'.repeat(64)}`;
const LAYER_B: Digest = `sha256:${'b'.repeat(64)}`;

const parent: ImageConfig = {
  architecture: 'arm64',
  variant: 'v8',
  os: 'linux',
  created: '2024-01-01T00:00:00Z',
  comment: 'Imported from -',
  config: { Cmd: ['sh'] },
  rootfs: { type: 'layers', diff_ids: [LAYER_A] },
  history: [{ created: '2024-01-01T00:00:00Z', comment: 'Imported from -' }],
};

test('the image: the parent’s platform, layers and history, plus the commit', () => {
  const image = commitImageConfig({
    parent,
    config: { Cmd: ['cat', '/hello'] },
    containerId: 'c'.repeat(64),
    containerConfig: { Cmd: ['sh', '-c', 'echo hi > /hello'] },
    author: 'Jane <j@x>',
    comment: 'my message',
    createdBy: 'sh -c echo hi > /hello',
    diffId: LAYER_B,
    created: '2024-02-02T00:00:00.123456789Z',
  });
  assert.deepEqual(Object.keys(image), [
    'architecture',
    'author',
    'config',
    'container',
    'container_config',
    'created',
    'history',
    'os',
    'rootfs',
    'variant',
  ]);
  assert.deepEqual(image.rootfs.diff_ids, [LAYER_A, LAYER_B]);
  assert.equal(image.author, 'Jane <j@x>');
  assert.equal(image.comment, undefined, 'the message is only in the history');
  assert.deepEqual(image.history?.at(-1), {
    created: '2024-02-02T00:00:00.123456789Z',
    author: 'Jane <j@x>',
    created_by: 'sh -c echo hi > /hello',
    comment: 'my message',
  });
  assert.equal(image.history?.length, 2);
});

test('a commit without changes records an empty_layer entry and no layer', () => {
  const image = commitImageConfig({
    parent,
    config: {},
    containerId: 'c'.repeat(64),
    containerConfig: {},
    author: '',
    comment: '',
    createdBy: '',
    diffId: undefined,
    created: '2024-02-02T00:00:00Z',
  });
  assert.deepEqual(image.rootfs.diff_ids, [LAYER_A]);
  assert.deepEqual(image.history?.at(-1), { created: '2024-02-02T00:00:00Z', empty_layer: true });
  assert.equal('author' in image, false);
  const noHistory = commitImageConfig({
    parent: { ...parent, history: [] },
    config: {},
    containerId: 'c'.repeat(64),
    containerConfig: {},
    author: '',
    comment: '',
    createdBy: '',
    diffId: LAYER_B,
    created: '2024-02-02T00:00:00Z',
  });
  assert.equal(noHistory.history, undefined, 'one entry would not match the layers');
});
