import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type FlagSpec, flagBool, flagList, flagString, parseFlags } from './flags.js';

const specs: FlagSpec[] = [
  { name: 'host', short: 'H', type: 'list' },
  { name: 'debug', short: 'D', type: 'bool' },
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'name', type: 'string' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'log-level', short: 'l', type: 'string', default: 'info' },
];

test('long, short, attached and grouped forms', () => {
  const f = parseFlags(specs, [
    '-H',
    'unix:///a',
    '--host=tcp://b',
    '-it',
    '--name',
    'web',
    '-eA=1',
    '-e=B=2',
  ]);
  assert.deepEqual(flagList(f, 'host'), ['unix:///a', 'tcp://b']);
  assert.equal(flagBool(f, 'interactive'), true);
  assert.equal(flagBool(f, 'tty'), true);
  assert.equal(flagString(f, 'name'), 'web');
  assert.deepEqual(flagList(f, 'env'), ['A=1', 'B=2']);
  assert.equal(flagString(f, 'log-level'), 'info');
  assert.deepEqual([...f.given], ['host', 'interactive', 'tty', 'name', 'env']);
});

test('booleans take =false', () => {
  const f = parseFlags(specs, ['--debug=false', '-D=false']);
  assert.equal(flagBool(f, 'debug'), false);
  assert.ok(f.given.has('debug'));
  assert.throws(() => parseFlags(specs, ['--debug=maybe']), /invalid argument "maybe"/);
});

test('non-interspersed parsing stops at the first positional', () => {
  const f = parseFlags(specs, ['-i', 'busybox', 'sh', '-c', 'echo --name'], {
    interspersed: false,
  });
  assert.deepEqual(f.args, ['busybox', 'sh', '-c', 'echo --name']);
  assert.equal(flagString(f, 'name'), undefined);
});

test('interspersed parsing collects positionals around flags', () => {
  const f = parseFlags(specs, ['a', '-D', 'b', '--', '-x']);
  assert.deepEqual(f.args, ['a', 'b', '-x']);
});

test('unknown flags and missing values are errors in pflag wording', () => {
  assert.throws(() => parseFlags(specs, ['--nope']), { message: 'unknown flag: --nope' });
  assert.throws(() => parseFlags(specs, ['-x']), { message: "unknown shorthand flag: 'x' in -x" });
  assert.throws(() => parseFlags(specs, ['--name']), { message: 'flag needs an argument: --name' });
});
