import assert from 'node:assert/strict';
import { test } from 'node:test';

import { containerRecord } from '../../test/helpers/container-records.js';
import { type ErrorKind, isMoorError } from '../core/index.js';
import type { ContainerState, ContainerStatus } from './container-record.js';
import {
  canExec,
  canKill,
  canRemove,
  canStart,
  markDead,
  markExited,
  markPaused,
  markRemoving,
  markRestarting,
  markRunning,
  markUnpaused,
  stateRefusal,
  type StateVerb,
} from './container-state.js';

const ID = 'f'.repeat(64);
const STATUSES: ContainerStatus[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

type Expected = 'ok' | [ErrorKind, string];
const notRunning: Expected = ['Conflict', `container ${ID} is not running`];
const restarting: Expected = [
  'Conflict',
  `Container ${ID} is restarting, wait until the container is running`,
];
const markedStart: Expected = ['Conflict', 'container is marked for removal and cannot be started'];

/** verb → expected answer per status, in the order of STATUSES. */
const TABLE: Array<[StateVerb, Expected[]]> = [
  [
    'start',
    [
      'ok',
      ['NotModified', 'container is already running'],
      ['Conflict', 'cannot start a paused container, try unpause instead'],
      ['NotModified', 'container is already running'],
      markedStart,
      'ok',
      markedStart,
    ],
  ],
  [
    'stop',
    [
      ['NotModified', 'container is already stopped'],
      'ok',
      'ok',
      'ok',
      ['NotModified', 'container is already stopped'],
      ['NotModified', 'container is already stopped'],
      ['NotModified', 'container is already stopped'],
    ],
  ],
  ['kill', [notRunning, 'ok', 'ok', 'ok', notRunning, notRunning, notRunning]],
  [
    'pause',
    [
      notRunning,
      'ok',
      ['Conflict', `Container ${ID} is already paused`],
      restarting,
      notRunning,
      notRunning,
      notRunning,
    ],
  ],
  [
    'unpause',
    STATUSES.map((s) => (s === 'paused' ? 'ok' : ['Internal', `Container ${ID} is not paused`])),
  ],
  [
    'remove',
    [
      'ok',
      [
        'Conflict',
        'cannot remove container "web": container is running: stop the container before removing or force remove',
      ],
      ['Conflict', 'cannot remove container "web": container is paused and must be unpaused first'],
      [
        'Conflict',
        'cannot remove container "web": container is restarting: stop the container before removing or force remove',
      ],
      ['Conflict', 'removal of container web is already in progress'],
      'ok',
      'ok',
    ],
  ],
  [
    'exec',
    [
      notRunning,
      'ok',
      ['Conflict', `Container ${ID} is paused, unpause the container before exec`],
      restarting,
      notRunning,
      notRunning,
      notRunning,
    ],
  ],
  [
    'attach',
    [
      'ok',
      'ok',
      ['Conflict', 'container web is paused, unpause the container before attach'],
      ['Conflict', 'container web is restarting, wait until the container is running'],
      'ok',
      'ok',
      'ok',
    ],
  ],
  [
    'restart',
    STATUSES.map((s) =>
      s === 'removing' || s === 'dead'
        ? [
            'Internal',
            'Cannot restart container web: container is marked for removal and cannot be started',
          ]
        : 'ok',
    ),
  ],
  ['top', [notRunning, 'ok', 'ok', restarting, notRunning, notRunning, notRunning]],
  ['resize', [notRunning, 'ok', 'ok', 'ok', notRunning, notRunning, notRunning]],
  [
    'export',
    STATUSES.map((s) => {
      if (s === 'dead') return ['Conflict', `You cannot export container ${ID} which is Dead`];
      if (s === 'removing') {
        return ['Conflict', `You cannot export container ${ID} which is being removed`];
      }
      return 'ok';
    }),
  ],
];

test('each verb allows or refuses each state with Docker’s message and kind', () => {
  for (const [verb, row] of TABLE) {
    STATUSES.forEach((status, i) => {
      const record = containerRecord({ id: ID, name: 'web', state: { status } });
      const ref = verb === 'exec' ? undefined : 'web';
      const refusal = stateRefusal(verb, record, ref === undefined ? {} : { ref });
      const expected = row[i];
      const label = `${verb} when ${status}`;
      if (expected === 'ok') assert.equal(refusal, undefined, label);
      else assert.deepEqual([refusal?.kind, refusal?.message], expected, label);
    });
  }
});

test('force removes running and paused containers, but not one already being removed', () => {
  for (const status of ['running', 'paused', 'restarting'] as const) {
    assert.doesNotThrow(() => canRemove(containerRecord({ state: { status } }), true));
  }
  assert.throws(
    () => canRemove(containerRecord({ name: 'web', state: { status: 'removing' } }), true),
    (err) => isMoorError(err, 'Conflict'),
  );
});

test('the can* checks throw the refusal, quoting the name the client used', () => {
  const running = containerRecord({ id: ID, name: 'web', state: { status: 'running' } });
  assert.throws(
    () => canStart(running),
    (err) => isMoorError(err, 'NotModified'),
  );
  assert.throws(
    () => canRemove(running, false, '/web'),
    /^MoorError: cannot remove container "\/web": container is running/,
  );
  assert.doesNotThrow(() => canKill(running));
  const paused = containerRecord({ id: ID, state: { status: 'paused' } });
  assert.throws(() => canExec(paused, 'web'), /Container web is paused, unpause/);
  assert.throws(() => canExec(paused), new RegExp(`Container ${ID} is paused`));
});

const base: ContainerState = containerRecord().state;
const T1 = '2026-02-03T04:05:06.123456789Z';
const T2 = '2026-02-03T04:06:00.000000001Z';

test('transitions return new states and leave their input alone', () => {
  const frozen = Object.freeze({ ...base, error: 'boom', exitCode: 127 });
  const running = markRunning(frozen, 42, 41, T1);
  assert.deepEqual(running, {
    ...base,
    status: 'running',
    pid: 42,
    monitorPid: 41,
    startedAt: T1,
    error: '',
    exitCode: 0,
  });
  assert.equal(frozen.status, 'created');

  const table: Array<[string, ContainerState, Partial<ContainerState>]> = [
    ['pause', markPaused(running), { status: 'paused' }],
    ['unpause', markUnpaused(markPaused(running)), { status: 'running' }],
    [
      'exit',
      markExited(running, 137, T2, true),
      { status: 'exited', pid: 0, monitorPid: 0, exitCode: 137, finishedAt: T2, oomKilled: true },
    ],
    [
      'restarting',
      markRestarting(markExited(running, 1, T2, false)),
      { status: 'restarting', pid: 0, monitorPid: 0, exitCode: 1, finishedAt: T2 },
    ],
    ['removing', markRemoving(markExited(running, 0, T2, false)), { status: 'removing' }],
    ['dead', markDead(running), { status: 'dead', pid: 0, monitorPid: 0 }],
  ];
  for (const [label, state, expected] of table) {
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(state[key as keyof ContainerState], value, `${label}: ${key}`);
    }
  }
  assert.equal(running.status, 'running');
});

test('starting again clears a manual stop and resets health, keeping its log', () => {
  const result = { start: T1, end: T1, exitCode: 1, output: 'down' };
  const stopped: ContainerState = {
    ...markExited(markRunning(base, 1, 1, T1), 143, T2, false),
    manuallyStopped: true,
    health: { status: 'unhealthy', failingStreak: 3, log: [result] },
  };
  const again = markRunning(stopped, 7, 6, T2);
  assert.equal(again.manuallyStopped, false);
  assert.equal(again.finishedAt, T2, 'Docker keeps FinishedAt of the last run');
  assert.deepEqual(again.health, { status: 'starting', failingStreak: 0, log: [result] });
  assert.equal(stopped.health?.status, 'unhealthy');
  assert.equal(markRunning(base, 1, 1, T1).health, undefined);
});
