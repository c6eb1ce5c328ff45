import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { expandLogTag, logAttributes } from './log-attributes.js';
import {
  DEFAULT_LOG_OPTS,
  DEFAULT_MAX_FILES,
  DEFAULT_MAX_SIZE,
  mergeLogConfig,
  parseLogSize,
  parseRamSize,
  validateLogConfig,
} from './log-options.js';

function refused(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isMoorError(err, 'InvalidArgument'), String(err));
    assert.equal(err.message, message);
    return true;
  });
}

test('sizes as go-units reads them: decimal for max-size, binary for RAM sizes', () => {
  assert.equal(parseLogSize('10'), 10);
  assert.equal(parseLogSize('10k'), 10_000);
  assert.equal(parseLogSize('10m'), 10_000_000);
  assert.equal(parseLogSize('1g'), 1_000_000_000);
  assert.equal(parseLogSize('1.5MB'), 1_500_000);
  assert.equal(parseLogSize('2 KiB'), 2000);
  assert.equal(parseLogSize('7b'), 7);
  assert.equal(parseRamSize('10k'), 10_240);
  assert.equal(parseRamSize('1m'), 1_048_576);
  refused(() => parseLogSize('abc'), "invalid size: 'abc'");
  refused(() => parseLogSize('10x'), "invalid suffix: 'x'");
  refused(() => parseLogSize('10mx'), "invalid suffix: 'mx'");
  refused(() => parseLogSize('10kbb'), "invalid suffix: 'kbb'");
  refused(() => parseLogSize('-1'), "invalid size: '-1'");
});

test('unknown drivers and options, in dockerd words', () => {
  refused(
    () => validateLogConfig('syslogx', {}),
    'error looking up logging plugin syslogx: plugin "syslogx" not found',
  );
  refused(
    () => validateLogConfig('json-file', { xyz: '1' }),
    "unknown log opt 'xyz' for json-file log driver",
  );
  refused(
    () => validateLogConfig('local', { xyz: '1' }),
    "unknown log opt 'xyz' for log driver local",
  );
  refused(
    () => validateLogConfig('json-file', { mode: 'fast' }),
    'logger: logging mode not supported: fast',
  );
  refused(
    () => validateLogConfig('json-file', { 'max-buffer-size': '4m' }),
    "logger: max-buffer-size option is only supported with 'mode=non-blocking'",
  );
  // dockerd does not look at the options of `none`.
  assert.equal(validateLogConfig('none', { anything: 'x' }).type, 'none');
});

test('json-file as dockerd: one file without max-size, one file when only max-size is set', () => {
  assert.deepEqual(validateLogConfig('json-file', {}), {
    type: 'json-file',
    maxSize: 0,
    maxFiles: 1,
    compress: false,
  });
  const sized = validateLogConfig('json-file', { 'max-size': '10k' });
  assert.equal(sized.maxSize, 10_000);
  assert.equal(sized.maxFiles, 1);
  const both = validateLogConfig('json-file', {
    'max-size': '1m',
    'max-file': '3',
    compress: 'true',
  });
  assert.deepEqual([both.maxSize, both.maxFiles, both.compress], [1_000_000, 3, true]);
  assert.equal(validateLogConfig('json-file', { 'max-file': '3' }).maxSize, 0);
  // moord's own default options rotate: 20 MB, 5 files.
  const rotated = validateLogConfig('json-file', { ...DEFAULT_LOG_OPTS });
  assert.deepEqual([rotated.maxSize, rotated.maxFiles], [20_000_000, 5]);
  const accepted = {
    labels: 'a,b',
    'labels-regex': '^x',
    env: 'A',
    'env-regex': 'B',
    tag: '{{.Name}}',
  };
  assert.equal(
    validateLogConfig('json-file', { ...accepted, mode: 'non-blocking', 'max-buffer-size': '1m' })
      .type,
    'json-file',
  );
});

test('json-file value errors, in dockerd words', () => {
  refused(
    () => validateLogConfig('json-file', { 'max-size': '0' }),
    'failed to initialize logging driver: max-size must be a positive number',
  );
  refused(
    () => validateLogConfig('json-file', { 'max-size': 'big' }),
    "failed to initialize logging driver: invalid size: 'big'",
  );
  refused(
    () => validateLogConfig('json-file', { 'max-file': '0' }),
    'failed to initialize logging driver: max-file cannot be less than 1',
  );
  refused(
    () => validateLogConfig('json-file', { 'max-file': 'x' }),
    'failed to initialize logging driver: strconv.Atoi: parsing "x": invalid syntax',
  );
  refused(
    () => validateLogConfig('json-file', { compress: 'yes' }),
    'failed to initialize logging driver: strconv.ParseBool: parsing "yes": invalid syntax',
  );
  refused(
    () => validateLogConfig('json-file', { compress: 'true', 'max-size': '1m' }),
    'failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set',
  );
  assert.throws(
    () => validateLogConfig('json-file', { 'labels-regex': '(' }),
    /^MoorError: failed to initialize logging driver: error parsing regexp: /,
  );
});

test('local: dockerd defaults and messages', () => {
  assert.deepEqual(validateLogConfig('local', {}), {
    type: 'local',
    maxSize: DEFAULT_MAX_SIZE,
    maxFiles: DEFAULT_MAX_FILES,
    compress: true,
  });
  assert.deepEqual([DEFAULT_MAX_SIZE, DEFAULT_MAX_FILES], [20 * 1024 * 1024, 5]);
  refused(
    () => validateLogConfig('local', { 'max-file': '1' }),
    'failed to initialize logging driver: compression cannot be enabled when max file count is 1',
  );
  assert.equal(validateLogConfig('local', { 'max-file': '1', compress: 'false' }).maxFiles, 1);
  refused(
    () => validateLogConfig('local', { 'max-size': 'big' }),
    "failed to initialize logging driver: invalid value for max-size: big: invalid size: 'big'",
  );
  refused(
    () => validateLogConfig('local', { 'max-file': 'x' }),
    'failed to initialize logging driver: invalid value for max-file: x: strconv.Atoi: parsing "x": invalid syntax',
  );
  refused(
    () => validateLogConfig('local', { 'max-file': '-1' }),
    'failed to initialize logging driver: max-file must not be negative',
  );
});

test('attributes: labels, env and tag as dockerd adds them', () => {
  const id = 'f'.repeat(12) + '0'.repeat(52);
  const info = {
    name: '/web',
    imageId: 'sha256:' + 'a'.repeat(64),
    imageName: 'nginx:latest',
    labels: { app: 'web', tier: 'front', other: 'x' },
    env: ['PATH=/bin', 'REGION=eu=1', 'EMPTY='],
  };
  const config = {
    labels: 'app,missing',
    'labels-regex': '^ti',
    env: 'REGION,EMPTY',
    tag: '{{.Name}}/{{.ID}}',
  };
  assert.deepEqual(logAttributes(config, id, info), {
    app: 'web',
    tier: 'front',
    REGION: 'eu=1',
    EMPTY: '',
    tag: `web/${'f'.repeat(12)}`,
  });
  assert.equal(
    expandLogTag('{{.ImageName}} {{.ImageID}} {{.FullID}} {{.DaemonName}} {{.Nope}}', id, info),
    `nginx:latest ${'a'.repeat(12)} ${id} docker {{.Nope}}`,
  );
  assert.deepEqual(logAttributes({}, id, info), {});
});

test("the daemon's driver and options merge into a container's as dockerd merges them", () => {
  const daemon = { driver: 'json-file', opts: { 'max-size': '20m', 'max-file': '5' } };
  // No type: the daemon's driver, with its options.
  assert.deepEqual(mergeLogConfig({ Type: '', Config: {} }, daemon), {
    Type: 'json-file',
    Config: { 'max-size': '20m', 'max-file': '5' },
  });
  assert.deepEqual(mergeLogConfig(undefined, daemon).Config, daemon.opts);
  // The container's own options win; the daemon's fill in the rest.
  assert.deepEqual(mergeLogConfig({ Type: 'json-file', Config: { 'max-size': '10k' } }, daemon), {
    Type: 'json-file',
    Config: { 'max-size': '10k', 'max-file': '5' },
  });
  // Another driver than the daemon's: its own options only.
  assert.deepEqual(mergeLogConfig({ Type: 'local', Config: {} }, daemon), {
    Type: 'local',
    Config: {},
  });
  assert.deepEqual(mergeLogConfig({ Type: 'none' }, daemon), { Type: 'none', Config: {} });
  // The caller's object is left alone.
  const mine = { Type: '', Config: { tag: 'x' } };
  mergeLogConfig(mine, daemon);
  assert.deepEqual(mine.Config, { tag: 'x' });
});
