/** What the benchmarks share: arguments, medians, timed commands, result lines. */
import { spawn } from 'node:child_process';

import { cleanupContainerDaemon } from '../test/helpers/containers.js';
import type { TestDaemon } from '../test/helpers/moord.js';
import { removeEmptyIsolationChains } from '../test/helpers/network.js';

/** `--name N` from the command line, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface Timed {
  seconds: number;
  code: number | null;
  stderr: string;
}

/** Runs a command with its stdout discarded; the time is from spawn to exit. */
export function timedCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ seconds: Number(process.hrtime.bigint() - start) / 1e9, code, stderr });
    });
  });
}

export function must(what: string, result: { code: number | null; stderr: string }): void {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}): ${result.stderr}`);
}

/** One result line: what, the measured value, the goal, PASS or MISS. */
export function report(what: string, value: string, goal: string, pass: boolean): string {
  return `${what.padEnd(46)} ${value.padStart(12)}   goal ${goal.padEnd(9)} ${pass ? 'PASS' : 'MISS'}`;
}

export const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

/** Runs `task(i)` for i in [0, count), at most `width` at a time. */
export async function pool<T>(
  count: number,
  width: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}

/**
 * Ends a benchmark's moord (its containers, mounts, bridges and files), then the isolation
 * chains every moord on the host shares, once they are empty: a benchmark is the only moord.
 */
export async function cleanupBenchDaemon(daemon: TestDaemon | undefined): Promise<void> {
  await cleanupContainerDaemon(daemon);
  await removeEmptyIsolationChains();
}
