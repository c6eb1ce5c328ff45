import { invalidArgument } from '../core/index.js';
import type { Stage } from '../oci/index.js';

/**
 * Which stages a build needs and what each waits for: the target (last) stage, and every
 * stage it depends on through `FROM <stage>` or `COPY --from=<stage|index>`. Stages nothing
 * needs are skipped; stages that do not depend on each other may run at the same time.
 */
export interface StagePlan {
  /** Indexes of the stages to build, in Dockerfile order. */
  needed: number[];
  /** Stage index → the indexes of the stages it needs first. */
  dependsOn: Map<number, number[]>;
}

/** The stage a `--from` value or FROM base names, if it names one before `before`. */
export function stageReference(
  stages: readonly Stage[],
  name: string,
  before: number,
): number | undefined {
  const lower = name.toLowerCase();
  const byName = stages.findIndex((s, i) => i < before && s.name === lower);
  if (byName !== -1) return byName;
  if (/^\d+$/.test(name)) {
    const index = Number(name);
    if (index >= before) {
      throw invalidArgument(
        index === before ? 'refers to current build stage' : 'index out of bounds',
      );
    }
    return index;
  }
  return undefined;
}

export function planStages(stages: readonly Stage[]): StagePlan {
  const dependsOn = new Map<number, number[]>();
  for (const stage of stages) {
    const deps = new Set<number>();
    const base = stageReference(stages, stage.baseName, stage.index);
    if (base !== undefined && !/^\d+$/.test(stage.baseName)) deps.add(base);
    for (const instr of stage.instructions) {
      if (instr.kind !== 'copy' || instr.from === undefined) continue;
      const from = stageReference(stages, instr.from, stage.index);
      if (from !== undefined) deps.add(from);
    }
    dependsOn.set(stage.index, [...deps]);
  }
  const needed = new Set<number>();
  const visit = (index: number) => {
    if (needed.has(index)) return;
    needed.add(index);
    for (const dep of dependsOn.get(index) ?? []) visit(dep);
  };
  if (stages.length > 0) visit(stages.length - 1);
  return { needed: [...needed].sort((a, b) => a - b), dependsOn };
}
