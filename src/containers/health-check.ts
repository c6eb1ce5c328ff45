import type { HealthConfig } from '../api-types/index.js';
import { goDuration } from '../core/index.js';
import type { ContainerContext } from './container-context.js';
import { nowRfc3339Nano } from '../oci/index.js';
import type { ContainerRecord, HealthResult, HealthState } from './container-record.js';
import { createExec, startExec } from './exec-session.js';
import { publishContainerEvent } from './container-event.js';

const SECOND_NS = 1_000_000_000;
const DEFAULT_INTERVAL = 30 * SECOND_NS;
const DEFAULT_TIMEOUT = 30 * SECOND_NS;
const DEFAULT_START_INTERVAL = 5 * SECOND_NS;
const DEFAULT_RETRIES = 3;
/** Docker keeps this many results and this much output of each. */
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT = 4096;

/** The probe command of a health config, or undefined when there is none (or NONE). */
export function probeCommand(test: readonly string[] | undefined): string[] | undefined {
  if (!test || test.length === 0) return undefined;
  const [kind, ...rest] = test;
  if (kind === 'NONE') return undefined;
  if (kind === 'CMD') return rest.length > 0 ? rest : undefined;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

/** The next health state after one probe result (pure; Docker's rules). */
export function nextHealth(
  current: HealthState,
  result: HealthResult,
  options: { retries: number; inStartPeriod: boolean },
): HealthState {
  const log = [...current.log, result].slice(-MAX_LOG_ENTRIES);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  if (options.inStartPeriod && current.status === 'starting') {
    return { ...current, log };
  }
  const failingStreak = current.failingStreak + 1;
  const status = failingStreak >= options.retries ? 'unhealthy' : current.status;
  return { status, failingStreak, log };
}

async function runProbe(
  ctx: ContainerContext,
  id: string,
  cmd: string[],
  timeoutNs: number,
): Promise<HealthResult> {
  const start = nowRfc3339Nano();
  let output = '';
  const execId = createExec(ctx, id, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const session = ctx.execs.get(execId);
  if (!session) throw new Error('exec session vanished');
  try {
    const exited = new Promise<number>((resolve) => session.events.once('exit', resolve));
    await startExec(ctx, session, (entry) => {
      if (output.length < MAX_OUTPUT) output += entry.line.toString('utf8');
    });
    const timeoutMs = Math.max(1, Math.round(timeoutNs / 1e6));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (code === 'timeout') {
      if (session.pid > 0) process.kill(session.pid, 'SIGKILL');
      return {
        start,
        end: nowRfc3339Nano(),
        exitCode: -1,
        output: `Health check exceeded timeout (${goDuration(timeoutMs)})`,
      };
    }
    return { start, end: nowRfc3339Nano(), exitCode: code, output: output.slice(0, MAX_OUTPUT) };
  } catch (err) {
    return { start, end: nowRfc3339Nano(), exitCode: -1, output: (err as Error).message };
  } finally {
    ctx.execs.delete(execId);
  }
}

/**
 * Runs a running container's health check on its schedule: `starting` until the first success
 * (failures within the start period do not count), `healthy`, or `unhealthy` after `retries`
 * failures in a row. The state is stored with the record; stopHealth() ends the schedule.
 */
export function startHealthCheck(ctx: ContainerContext, record: ContainerRecord): void {
  const health: HealthConfig = record.config.Healthcheck ?? {};
  const cmd = probeCommand(health.Test);
  if (!cmd) return;
  const interval = health.Interval || DEFAULT_INTERVAL;
  const timeout = health.Timeout || DEFAULT_TIMEOUT;
  const startInterval = health.StartInterval || DEFAULT_START_INTERVAL;
  const retries = health.Retries || DEFAULT_RETRIES;
  const startPeriodEnds = Date.now() + (health.StartPeriod ?? 0) / 1e6;
  const live = ctx.liveOf(record.id);
  live.stopHealth?.();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  live.stopHealth = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
  const schedule = (ns: number) => {
    timer = setTimeout(() => void probe(), Math.max(1, ns / 1e6));
  };
  const probe = async () => {
    if (stopped) return;
    const result = await runProbe(ctx, record.id, cmd, timeout);
    if (stopped) return;
    const inStartPeriod = Date.now() < startPeriodEnds;
    await ctx.locks.run(record.id, async () => {
      const current = ctx.store.get(record.id);
      if (!current || current.state.status !== 'running' || stopped) return;
      const state = current.state.health ?? { status: 'starting', failingStreak: 0, log: [] };
      const next = nextHealth(state, result, { retries, inStartPeriod });
      await ctx.store.save({ ...current, state: { ...current.state, health: next } });
      if (next.status !== state.status) {
        publishContainerEvent(ctx, current, `health_status: ${next.status}`);
      }
    });
    const current = ctx.store.get(record.id)?.state.health;
    schedule(current?.status === 'starting' && inStartPeriod ? startInterval : interval);
  };
  schedule(Date.now() < startPeriodEnds ? startInterval : interval);
}
