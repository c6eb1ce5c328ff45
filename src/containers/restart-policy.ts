import type { RestartPolicy } from '../api-types/index.js';
import { conflict, invalidArgument, type MoorError } from '../core/index.js';

/*
 * Restart policies: Docker's checks of a policy at create and update, its decision whether an
 * ended container starts again, and its back-off between restarts. (The CLI's `--restart`
 * text is parsed by oci/restart-flag.ts; the API carries the policy already structured.)
 */

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

/** Docker's ValidateRestartPolicy (API v1.51): the name, and a count only with on-failure. */
function policyError(policy: RestartPolicy): MoorError | undefined {
  const name = policy.Name ?? '';
  const count = policy.MaximumRetryCount ?? 0;
  switch (name) {
    case 'no':
    case 'always':
    case 'unless-stopped':
      if (count === 0) return undefined;
      return invalidArgument(
        "invalid restart policy: maximum retry count can only be used with 'on-failure'" +
          (count < 0 ? ' and cannot be negative' : ''),
      );
    case 'on-failure':
      return count < 0
        ? invalidArgument('invalid restart policy: maximum retry count cannot be negative')
        : undefined;
    case '':
      // Engines before 25.0 stored an empty name; Docker accepts it with any count.
      return undefined;
    default:
      return invalidArgument(
        `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

const isNone = (policy: RestartPolicy) =>
  policy.Name === undefined || policy.Name === '' || policy.Name === 'no';

/**
 * The policy a new container gets (`''` becomes `no`, as Docker's create stores it), after
 * Docker's create checks: AutoRemove first (`can't create 'AutoRemove' container with restart
 * policy`), then the policy itself. All InvalidArgument (400), as in Docker.
 */
export function validateRestartPolicy(
  policy: RestartPolicy | undefined,
  autoRemove: boolean,
): { Name: string; MaximumRetryCount: number } {
  const normalized = {
    Name: policy?.Name || 'no',
    MaximumRetryCount: policy?.MaximumRetryCount ?? 0,
  };
  if (autoRemove && !isNone(normalized)) {
    throw invalidArgument("can't create 'AutoRemove' container with restart policy");
  }
  const error = policyError(normalized);
  if (error) throw error;
  return normalized;
}

/**
 * `POST /containers/{id}/update`: the policy to store, or undefined when the update leaves the
 * policy alone (an empty name). Throws InvalidArgument for a bad policy and Conflict when the
 * container removes itself (AutoRemove) and the new policy would restart it.
 */
export function restartPolicyUpdate(
  update: RestartPolicy | undefined,
  container: { id: string; autoRemove: boolean },
): { Name: string; MaximumRetryCount: number } | undefined {
  if (!update) return undefined;
  const error = policyError(update);
  if (error) throw error;
  if (!update.Name) return undefined;
  if (container.autoRemove && !isNone(update)) {
    throw conflict(
      `Cannot update container ${container.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`,
    );
  }
  return { Name: update.Name, MaximumRetryCount: update.MaximumRetryCount ?? 0 };
}

export interface ExitFacts {
  exitCode: number;
  /** A user stopped or killed it (and has not started it since). */
  manuallyStopped: boolean;
  /** Restarts by policy since the user last started it. */
  restartCount: number;
  /** moord is starting and deciding which stopped containers to bring back. */
  daemonStarting: boolean;
}

/**
 * Whether a container starts again, as Docker decides. When its process ends: never after a
 * user stopped it; `always` and `unless-stopped` do; `on-failure` on a non-zero exit until
 * MaximumRetryCount restarts (0: no limit). When the daemon starts: `always` brings back even
 * a container the user stopped, `unless-stopped` does not, and `on-failure` goes by the last
 * exit code and count. (Docker also skips containers never started; the caller checks that.)
 */
export function shouldRestart(policy: RestartPolicy, facts: ExitFacts): boolean {
  if (!facts.daemonStarting && facts.manuallyStopped) return false;
  switch (policy.Name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !facts.manuallyStopped;
    case 'on-failure': {
      const max = policy.MaximumRetryCount ?? 0;
      return facts.exitCode !== 0 && (max === 0 || facts.restartCount < max);
    }
    default:
      return false;
  }
}

export const FIRST_RESTART_DELAY_MS = 100;
export const MAX_RESTART_DELAY_MS = 60_000;
/** A run at least this long resets the back-off. */
export const RESTART_RESET_AFTER_MS = 10_000;

/**
 * Docker's back-off before the next restart: 100 ms first, doubling each time up to one
 * minute, and back to 100 ms after a run of at least 10 s. `previousDelayMs` is 0 before the
 * first restart.
 */
export function nextDelay(previousDelayMs: number, ranForMs: number): number {
  if (previousDelayMs <= 0 || ranForMs >= RESTART_RESET_AFTER_MS) return FIRST_RESTART_DELAY_MS;
  return Math.min(previousDelayMs * 2, MAX_RESTART_DELAY_MS);
}
