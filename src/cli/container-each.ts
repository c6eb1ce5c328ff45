/**
 * What many container commands share: docker's parallelOperation (an operation on each named
 * container, at most 50 at once, names printed in the order given as each succeeds, failures
 * collected and printed together, exit 1) and the wait for a container's exit.
 */
import type { ContainerWaitResponse } from '../api-types/index.js';
import type { CliContext } from './context.js';
import { errorText } from './error-text.js';
import { containerPath } from './container-path.js';

const PARALLEL = 50;

/**
 * Runs `op` on every name (`parallel: false`: one after the other); prints each successful
 * name (or `print`'s text) in the order given, as soon as it and those before it are done.
 */
export async function forEachContainer(
  ctx: CliContext,
  names: readonly string[],
  op: (name: string) => Promise<void>,
  options: { parallel?: boolean; print?: (name: string) => string | undefined } = {},
): Promise<number> {
  const limit = options.parallel === false ? 1 : PARALLEL;
  let active = 0;
  const queue: (() => void)[] = [];
  const acquire = () =>
    active < limit ? (active++, Promise.resolve()) : new Promise<void>((r) => queue.push(r));
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  const results = names.map(async (name) => {
    await acquire();
    try {
      await op(name);
    } finally {
      release();
    }
  });
  // Failures are reported in order below; none may go unhandled while an earlier one runs.
  for (const result of results) result.catch(() => undefined);
  const errors: string[] = [];
  for (const [i, result] of results.entries()) {
    const name = names[i] as string;
    try {
      await result;
    } catch (err) {
      errors.push(errorText(err, ctx.host));
      continue;
    }
    const line = options.print ? options.print(name) : name;
    if (line !== undefined) ctx.stdout.write(`${line}\n`);
  }
  if (errors.length === 0) return 0;
  ctx.stderr.write(`${errors.join('\n')}\n`);
  return 1;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** A registered wait: its result comes when the condition is met. */
export interface Waiter {
  result: Promise<ContainerWaitResponse>;
}

/**
 * `POST /containers/{id}/wait`: resolves once the daemon has registered the waiter (its
 * headers arrived). Docker's CLI starts a container only after that, so no exit is missed.
 */
export async function startWait(
  ctx: CliContext,
  id: string,
  condition?: WaitCondition,
): Promise<Waiter> {
  const res = await ctx.client().stream('POST', containerPath(id, '/wait'), {
    query: { condition },
  });
  const result = (async () => {
    let text = '';
    for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString('utf8');
    return JSON.parse(text) as ContainerWaitResponse;
  })();
  // Callers that stop early (a detach, a failed start) never read it.
  result.catch(() => undefined);
  return { result };
}
