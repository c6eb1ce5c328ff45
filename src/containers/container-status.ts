import { humanDuration } from '../core/index.js';
import { ZERO_TIME, type ContainerRecord, type ContainerStatus } from './container-record.js';

/*
 * What `GET /containers/json` says about a container's state: the `State` word and Docker's
 * human `Status` (`Up 5 seconds (healthy)`, `Exited (130) 3 seconds ago`).
 */

function isZeroTime(time: string): boolean {
  return time === ZERO_TIME || time.startsWith('0001-01-01T');
}

function since(time: string, now: number): string {
  return humanDuration(now - Date.parse(time));
}

/** The summary's `State`: one of created, running, paused, restarting, removing, exited, dead. */
export function containerStateWord(record: ContainerRecord): ContainerStatus {
  return record.state.status;
}

/**
 * Docker's `Status` at `now` (ms since the epoch). Running containers show their uptime and
 * health; a restarting one its last exit code and how long ago it ended; an exited one that
 * never recorded an end shows '' (as Docker does).
 */
export function containerStatusText(record: ContainerRecord, now = Date.now()): string {
  const s = record.state;
  switch (s.status) {
    case 'running': {
      const up = `Up ${since(s.startedAt, now)}`;
      if (!s.health) return up;
      const health = s.health.status === 'starting' ? 'health: starting' : s.health.status;
      return `${up} (${health})`;
    }
    case 'paused':
      return `Up ${since(s.startedAt, now)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${since(s.finishedAt, now)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      if (isZeroTime(s.startedAt)) return 'Created';
      if (isZeroTime(s.finishedAt)) return '';
      return `Exited (${s.exitCode}) ${since(s.finishedAt, now)} ago`;
  }
}
