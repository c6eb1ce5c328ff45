import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RestartPolicy } from '../api-types/index.js';
import { isMoorError } from '../core/index.js';
import {
  nextDelay,
  restartPolicyUpdate,
  shouldRestart,
  validateRestartPolicy,
  type ExitFacts,
} from './restart-policy.js';

const ONLY_ON_FAILURE =
  "invalid restart policy: maximum retry count can only be used with 'on-failure'";
const UNKNOWN = (name: string) =>
  `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;

test('create normalizes the policy and refuses bad ones with Docker’s messages', () => {
  const ok: Array<[RestartPolicy | undefined, string, number]> = [
    [undefined, 'no', 0],
    [{}, 'no', 0],
    [{ Name: '' }, 'no', 0],
    [{ Name: 'no' }, 'no', 0],
    [{ Name: 'always' }, 'always', 0],
    [{ Name: 'unless-stopped', MaximumRetryCount: 0 }, 'unless-stopped', 0],
    [{ Name: 'on-failure' }, 'on-failure', 0],
    [{ Name: 'on-failure', MaximumRetryCount: 3 }, 'on-failure', 3],
  ];
  for (const [policy, Name, MaximumRetryCount] of ok) {
    assert.deepEqual(validateRestartPolicy(policy, false), { Name, MaximumRetryCount });
  }
  const bad: Array<[RestartPolicy, string]> = [
    [{ Name: 'always', MaximumRetryCount: 2 }, ONLY_ON_FAILURE],
    [{ Name: '', MaximumRetryCount: 2 }, ONLY_ON_FAILURE],
    [{ Name: 'no', MaximumRetryCount: -1 }, `${ONLY_ON_FAILURE} and cannot be negative`],
    [
      { Name: 'on-failure', MaximumRetryCount: -1 },
      'invalid restart policy: maximum retry count cannot be negative',
    ],
    [{ Name: 'foo' }, UNKNOWN('foo')],
    [{ Name: 'Always' }, UNKNOWN('Always')],
  ];
  for (const [policy, message] of bad) {
    assert.throws(
      () => validateRestartPolicy(policy, false),
      (err) => isMoorError(err, 'InvalidArgument') && err.message === message,
      JSON.stringify(policy),
    );
  }
});

test('AutoRemove refuses any restarting policy, before the policy itself is checked', () => {
  assert.deepEqual(validateRestartPolicy({ Name: 'no' }, true), {
    Name: 'no',
    MaximumRetryCount: 0,
  });
  for (const Name of ['always', 'on-failure', 'foo']) {
    assert.throws(
      () => validateRestartPolicy({ Name }, true),
      (err) =>
        isMoorError(err, 'InvalidArgument') &&
        err.message === "can't create 'AutoRemove' container with restart policy",
    );
  }
});

test('update keeps the policy for an empty name and refuses restarts of AutoRemove containers', () => {
  const plain = { id: 'abc', autoRemove: false };
  assert.equal(restartPolicyUpdate(undefined, plain), undefined);
  assert.equal(restartPolicyUpdate({ Name: '', MaximumRetryCount: 5 }, plain), undefined);
  assert.deepEqual(restartPolicyUpdate({ Name: 'always' }, plain), {
    Name: 'always',
    MaximumRetryCount: 0,
  });
  assert.throws(
    () => restartPolicyUpdate({ Name: 'bar' }, plain),
    (err) => isMoorError(err, 'InvalidArgument') && err.message === UNKNOWN('bar'),
  );
  const autoRemove = { id: 'abc', autoRemove: true };
  assert.deepEqual(restartPolicyUpdate({ Name: 'no' }, autoRemove), {
    Name: 'no',
    MaximumRetryCount: 0,
  });
  assert.throws(
    () => restartPolicyUpdate({ Name: 'always' }, autoRemove),
    (err) =>
      isMoorError(err, 'Conflict') &&
      err.message ===
        'Cannot update container abc: Restart policy cannot be updated because AutoRemove is enabled for the container',
  );
});

const exit = (facts: Partial<ExitFacts>): ExitFacts => ({
  exitCode: 0,
  manuallyStopped: false,
  restartCount: 0,
  daemonStarting: false,
  ...facts,
});

test('shouldRestart follows Docker’s restart manager, at exit and at daemon start', () => {
  const cases: Array<[RestartPolicy, Partial<ExitFacts>, boolean]> = [
    [{ Name: 'no' }, { exitCode: 1 }, false],
    [{ Name: '' }, { exitCode: 1 }, false],
    [{ Name: 'always' }, {}, true],
    [{ Name: 'always' }, { manuallyStopped: true }, false],
    [{ Name: 'always' }, { manuallyStopped: true, daemonStarting: true }, true],
    [{ Name: 'unless-stopped' }, { exitCode: 3 }, true],
    [{ Name: 'unless-stopped' }, { manuallyStopped: true }, false],
    [{ Name: 'unless-stopped' }, { manuallyStopped: true, daemonStarting: true }, false],
    [{ Name: 'unless-stopped' }, { daemonStarting: true }, true],
    [{ Name: 'on-failure' }, { exitCode: 0 }, false],
    [{ Name: 'on-failure' }, { exitCode: 1, restartCount: 99 }, true],
    [{ Name: 'on-failure', MaximumRetryCount: 3 }, { exitCode: 1, restartCount: 2 }, true],
    [{ Name: 'on-failure', MaximumRetryCount: 3 }, { exitCode: 1, restartCount: 3 }, false],
    [{ Name: 'on-failure' }, { exitCode: 137, manuallyStopped: true }, false],
    [{ Name: 'on-failure' }, { exitCode: 137, daemonStarting: true }, true],
  ];
  for (const [policy, facts, expected] of cases) {
    assert.equal(shouldRestart(policy, exit(facts)), expected, JSON.stringify([policy, facts]));
  }
});

test('nextDelay starts at 100 ms, doubles to a minute, and resets after 10 s of running', () => {
  const delays: number[] = [];
  let delay = 0;
  for (let i = 0; i < 12; i++) delays.push((delay = nextDelay(delay, 50)));
  assert.deepEqual(
    delays,
    [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000],
  );
  assert.equal(nextDelay(60000, 9_999), 60000);
  assert.equal(nextDelay(60000, 10_000), 100);
});
