import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { parseCommandFlags } from './command-flags.js';
import { UsageError } from './context.js';
import { CREATE_FLAGS, RUN_FLAGS } from './run-flags.js';
import {
  type RunEnvironment,
  InvalidOptionError,
  buildCreatePlan,
  detachBody,
} from './run-options.js';

type Verb = 'create' | 'run';
type Diff = Record<string, unknown>;

/**
 * What the docker 28.2.2 CLI sent to a recording server for the same command lines
 * (`docker -H unix:///tmp/x.sock create ...`): the default body, each case's difference from it
 * (HostConfig compared field by field) and the query, and what docker printed for bad ones.
 * Two cases were edited on purpose: docker builds Env (from -e) and Binds from Go maps, so their
 * order is random there; moor keeps the order the user gave.
 */
const CAPTURED = JSON.parse(
  readFileSync(
    new URL('../../../src/cli/testdata/docker-create-bodies.json', import.meta.url),
    'utf8',
  ),
) as {
  default: Record<string, unknown>;
  cases: [string, Verb, string[], Diff, string?][];
  errors: [Verb, string[], string][];
};

const FILES: Record<string, string> = {
  '/files/env.list': 'FOO=bar\n# comment\nEMPTY=\nHOME_ONLY\nQUOTED="q"\n  LEAD=x\n',
  '/files/labels.list': 'a=1\n# c\nb\nc=x=y\n',
  '/files/bad.env': 'A=1\n  SPACED = x\n',
  '/files/seccomp.json': '{\n  "defaultAction": "SCMP_ACT_ALLOW"\n}\n',
};

const ENV: RunEnvironment = {
  readFile(path) {
    const text = FILES[path];
    if (text === undefined) throw new Error(`open ${path}: no such file or directory`);
    return text;
  },
  lookupEnv: (name) => (name === 'HOME_ONLY' ? 'fromhost' : undefined),
  cwd: '/tmp/cap/files',
  consoleSize: [0, 0],
};

function expected(diff: Diff): unknown {
  const body = structuredClone(CAPTURED.default);
  for (const [key, value] of Object.entries(diff)) {
    if (key === 'HostConfig') Object.assign(body['HostConfig'] as object, value);
    else body[key] = value;
  }
  return body;
}

function plan(verb: Verb, argv: string[], env = ENV) {
  const specs = verb === 'run' ? RUN_FLAGS : CREATE_FLAGS;
  const flags = parseCommandFlags(specs, argv, { interspersed: false });
  const result = buildCreatePlan(flags, flags.args, env);
  if (verb === 'run' && flags.values.get('detach') === true) detachBody(result.body);
  return result;
}

/** The body as it goes on the wire. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

test('the default body is what docker 28 sends for `create busybox`', () => {
  assert.deepEqual(wire(plan('create', ['busybox']).body), CAPTURED.default);
});

for (const [name, verb, argv, diff, query] of CAPTURED.cases) {
  test(`docker ${verb} ${argv.join(' ')} (${name})`, () => {
    const result = plan(verb, argv);
    assert.deepEqual(wire(result.body), expected(diff));
    const params = new URLSearchParams();
    if (result.name) params.set('name', result.name);
    if (result.platform) params.set('platform', result.platform);
    assert.equal(params.toString(), query ?? '');
  });
}

for (const [verb, argv, text] of CAPTURED.errors) {
  if (text.includes('requires at least') || text.includes('--attach and --detach')) continue;
  test(`docker ${verb} ${argv.join(' ')} fails as docker does`, () => {
    const usage = !text.startsWith('docker: ');
    const message = (usage ? text : text.slice('docker: '.length)).split('\n\n')[0];
    assert.throws(
      () => plan(verb, argv),
      (err: unknown) => {
        const kind = usage ? UsageError : InvalidOptionError;
        assert.ok(err instanceof kind, String(err));
        assert.equal(err.message, message);
        return true;
      },
    );
  });
}

test('the console size goes into HostConfig.ConsoleSize', () => {
  const result = plan('run', ['-t', 'busybox'], { ...ENV, consoleSize: [30, 100] });
  assert.deepEqual(result.body.HostConfig?.ConsoleSize, [30, 100]);
});

test('--pull and -q are carried in the plan; DOCKER_DEFAULT_PLATFORM is the default platform', () => {
  const env = {
    ...ENV,
    lookupEnv: (n: string) => (n === 'DOCKER_DEFAULT_PLATFORM' ? 'linux/arm64' : undefined),
  };
  const result = plan('create', ['--pull', 'never', '-q', '--cidfile', '/tmp/id', 'busybox'], env);
  assert.equal(result.pull, 'never');
  assert.equal(result.quiet, true);
  assert.equal(result.cidfile, '/tmp/id');
  assert.equal(result.platform, 'linux/arm64');
});
