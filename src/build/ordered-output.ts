import type { BuildOutput } from './step-containers.js';

/**
 * The output of stages that may run at the same time, in Dockerfile order: the earliest
 * unfinished section writes through, later ones are held until every section before them
 * has finished, so a parallel build reads like a sequential one.
 */
export interface OrderedOutput {
  section(index: number): BuildOutput;
  /** The section is complete: held output of later sections may follow. */
  finish(index: number): void;
}

export function createOrderedOutput(indexes: readonly number[], out: BuildOutput): OrderedOutput {
  const order = [...indexes].sort((a, b) => a - b);
  const held = new Map<number, string[]>(order.map((i) => [i, []]));
  const done = new Set<number>();
  let cursor = 0;
  const current = () => order[cursor];
  const advance = () => {
    while (cursor < order.length && done.has(order[cursor] as number)) {
      cursor++;
      const next = current();
      if (next === undefined) return;
      for (const text of held.get(next) ?? []) out(text);
      held.set(next, []);
    }
  };
  return {
    section(index) {
      return (text) => {
        if (index === current()) out(text);
        else held.get(index)?.push(text);
      };
    },
    finish(index) {
      done.add(index);
      advance();
    },
  };
}
