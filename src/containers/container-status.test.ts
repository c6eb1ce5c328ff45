import assert from 'node:assert/strict';
import { test } from 'node:test';

import { containerRecord } from '../../test/helpers/container-records.js';
import type { ContainerState } from './container-record.js';
import { containerStateWord, containerStatusText } from './container-status.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace('Z', '123456Z');
const ZERO = '0001-01-01T00:00:00Z';
const result = { start: ZERO, end: ZERO, exitCode: 0, output: '' };

test('Status reads as Docker’s for every state', () => {
  const cases: Array<[Partial<ContainerState>, string]> = [
    [{ status: 'created' }, 'Created'],
    [{ status: 'running', startedAt: ago(5_000) }, 'Up 5 seconds'],
    [{ status: 'running', startedAt: ago(500) }, 'Up Less than a second'],
    [{ status: 'running', startedAt: ago(65_000) }, 'Up About a minute'],
    [{ status: 'paused', startedAt: ago(150_000) }, 'Up 2 minutes (Paused)'],
    [
      {
        status: 'paused',
        startedAt: ago(150_000),
        health: { status: 'healthy', failingStreak: 0, log: [result] },
      },
      'Up 2 minutes (Paused)',
    ],
    [
      {
        status: 'running',
        startedAt: ago(60_000),
        health: { status: 'healthy', failingStreak: 0, log: [result] },
      },
      'Up About a minute (healthy)',
    ],
    [
      {
        status: 'running',
        startedAt: ago(3_000),
        health: { status: 'unhealthy', failingStreak: 3, log: [] },
      },
      'Up 3 seconds (unhealthy)',
    ],
    [
      {
        status: 'running',
        startedAt: ago(3_000),
        health: { status: 'starting', failingStreak: 0, log: [] },
      },
      'Up 3 seconds (health: starting)',
    ],
    [
      { status: 'exited', exitCode: 130, startedAt: ago(60_000), finishedAt: ago(3_000) },
      'Exited (130) 3 seconds ago',
    ],
    [
      { status: 'exited', exitCode: 0, startedAt: ago(7_200_000), finishedAt: ago(3_600_000) },
      'Exited (0) About an hour ago',
    ],
    [{ status: 'exited', exitCode: 0, startedAt: ago(60_000), finishedAt: ZERO }, ''],
    [{ status: 'exited', exitCode: 127, startedAt: ZERO, finishedAt: ZERO }, 'Created'],
    [
      { status: 'restarting', exitCode: 1, startedAt: ago(10_000), finishedAt: ago(2_000) },
      'Restarting (1) 2 seconds ago',
    ],
    [{ status: 'removing', startedAt: ago(10_000), finishedAt: ago(2_000) }, 'Removal In Progress'],
    [{ status: 'dead', startedAt: ago(10_000), finishedAt: ago(2_000) }, 'Dead'],
  ];
  for (const [state, text] of cases) {
    const record = containerRecord({ state });
    assert.equal(containerStatusText(record, NOW), text, JSON.stringify(state));
    assert.equal(containerStateWord(record), state.status);
  }
});

test('a clock that went backwards shows less than a second, as go-units does', () => {
  const record = containerRecord({ state: { status: 'running', startedAt: ago(-5_000) } });
  assert.equal(containerStatusText(record, NOW), 'Up Less than a second');
});
