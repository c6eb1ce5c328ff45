import { invalidArgument, notFound, settleAll } from '../core/index.js';
import type { ImageRecord } from '../images/index.js';
import {
  type ArgInstruction,
  type Instruction,
  type ParsedDockerfile,
  type Stage,
  type WordExpander,
  expandFrom,
  expandInstruction,
  expandWord,
  expandWords,
  parseInstruction,
  parseInstructionLine,
  parseStages,
} from '../oci/index.js';
import { addMetaArg, allowedArgs, metaArgValues, unusedBuildArgs } from './build-args.js';
import type { BuildRun } from './build-run.js';
import { dispatch } from './dispatch.js';
import { createOrderedOutput } from './ordered-output.js';
import { type StageState, beginStage } from './stage-state.js';
import { planStages, stageReference } from './stage-plan.js';
import type { BuildOutput } from './step-containers.js';

/** What a build needs beyond the shared run: per-stage runs and the stages' results. */
export interface StageRunner {
  /**
   * A run whose output is `output` (each stage writes its own section); `stageOf` names the
   * earlier stage a COPY --from value refers to, if any.
   */
  runFor(output: BuildOutput, stageOf: (from: string) => number | undefined): BuildRun;
  /** Results of finished stages, by index (COPY --from, FROM <stage>). */
  results: Map<number, ImageRecord | undefined>;
}

const shortId = (id: string | undefined) => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '');

/**
 * Runs a parsed Dockerfile as Docker's classic builder does — `Step N/M : <instruction>`,
 * ` ---> <id>` after each step — building only the stages the target needs, independent
 * stages at the same time (their output kept in Dockerfile order). Returns the final image.
 */
export async function runDockerfile(
  parsed: ParsedDockerfile,
  runner: StageRunner,
  out: BuildOutput,
  aux: (imageId: string) => void,
): Promise<ImageRecord> {
  const shared = runner.runFor(out, () => undefined);
  const { metaArgs, stages: allStages } = parseStages(parsed);
  const stages = selectTarget(allStages, shared.options.target);
  addLabelOptions(stages, shared.options.labels);
  const total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.instructions.length, 0);
  const escape = parsed.escapeToken;
  let step = 1;
  for (const meta of metaArgs) {
    out(`Step ${step++}/${total} : ${meta.original}\n`);
    processMetaArg(shared, meta, escape);
  }
  const firstStep = new Map<number, number>();
  for (const stage of stages) {
    firstStep.set(stage.index, step);
    step += 1 + stage.instructions.length;
  }
  const plan = planStages(stages);
  const output = createOrderedOutput(plan.needed, out);
  const running = new Map<number, Promise<ImageRecord | undefined>>();
  const start = (index: number): Promise<ImageRecord | undefined> => {
    const existing = running.get(index);
    if (existing) return existing;
    const promise = (async () => {
      await Promise.all((plan.dependsOn.get(index) ?? []).map(start));
      const stage = stages[index] as Stage;
      const run = runner.runFor(output.section(index), (from) =>
        stageReference(stages, from, index),
      );
      try {
        const image = await buildStage(run, stages, stage, {
          firstStep: firstStep.get(index) ?? 1,
          total,
          escape,
          results: runner.results,
        });
        runner.results.set(index, image);
        if (image) aux(image.id);
        return image;
      } finally {
        output.finish(index);
      }
    })();
    running.set(index, promise);
    return promise;
  };
  await settleAll(plan.needed.map(start));
  const unused = unusedBuildArgs(shared.args);
  if (unused.length > 0) {
    out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  }
  const final = runner.results.get(stages.length - 1);
  if (!final) throw invalidArgument('No image was generated. Is your Dockerfile empty?');
  return final;
}

function selectTarget(stages: Stage[], target: string | undefined): Stage[] {
  if (stages.length === 0)
    throw invalidArgument('No image was generated. Is your Dockerfile empty?');
  if (target === undefined) return stages;
  const at = stages.findIndex((s) => s.name === target.toLowerCase());
  if (at === -1) throw invalidArgument(`target stage "${target}" could not be found`);
  return stages.slice(0, at + 1);
}

/** `--label`s become a LABEL step at the end of the last stage, as Docker adds them. */
function addLabelOptions(stages: Stage[], labels: Record<string, string>): void {
  const last = stages[stages.length - 1];
  if (!last) return;
  for (const [key, value] of Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))) {
    last.instructions.push({
      kind: 'label',
      pairs: [{ key, value }],
      original: `LABEL ${JSON.stringify(key)}=${JSON.stringify(value)}`,
      line: 0,
    });
  }
}

function expander(
  values: Map<string, string>,
  env: readonly string[],
  escape: ParsedDockerfile['escapeToken'],
): WordExpander {
  const list = [...[...values].map(([k, v]) => `${k}=${v}`), ...env];
  return {
    word: (w) => expandWord(w, list, { escapeToken: escape }),
    words: (w) => expandWords(w, list, { escapeToken: escape }),
  };
}

function processMetaArg(
  run: BuildRun,
  meta: ArgInstruction,
  escape: ParsedDockerfile['escapeToken'],
) {
  const expanded = expandInstruction(meta, expander(metaArgValues(run.args), [], escape));
  if (expanded.kind !== 'arg') return;
  for (const { key, value } of expanded.args) addMetaArg(run.args, key, value);
}

async function buildStage(
  run: BuildRun,
  stages: readonly Stage[],
  stage: Stage,
  at: {
    firstStep: number;
    total: number;
    escape: ParsedDockerfile['escapeToken'];
    results: Map<number, ImageRecord | undefined>;
  },
): Promise<ImageRecord | undefined> {
  let step = at.firstStep;
  run.output(`Step ${step++}/${at.total} : ${stage.original}\n`);
  const { baseName } = expandFrom(stage, expander(metaArgValues(run.args), [], at.escape));
  const state = beginStage(
    stage.name,
    stage.index,
    baseImage(run, stages, stage, baseName, at.results),
  );
  run.output(` ---> ${shortId(state.image?.id)}\n`);
  await runTriggers(run, state, at.escape);
  for (const instr of stage.instructions) {
    run.signal.throwIfAborted();
    run.output(`Step ${step++}/${at.total} : ${instr.original}\n`);
    await dispatchExpanded(run, state, instr, at.escape);
    run.output(` ---> ${shortId(state.image?.id)}\n`);
  }
  return state.image;
}

async function dispatchExpanded(
  run: BuildRun,
  state: StageState,
  instr: Instruction,
  escape: ParsedDockerfile['escapeToken'],
): Promise<void> {
  if (instr.kind === 'run' && instr.flagsUsed.length > 0) {
    throw invalidArgument(
      `the --${instr.flagsUsed[0]} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`,
    );
  }
  const expanded = expandInstruction(
    instr,
    expander(allowedArgs(run.args), state.runConfig.Env ?? [], escape),
  );
  await dispatch(run, state, expanded);
}

function baseImage(
  run: BuildRun,
  stages: readonly Stage[],
  stage: Stage,
  baseName: string,
  results: Map<number, ImageRecord | undefined>,
): ImageRecord | undefined {
  const ref = /^\d+$/.test(baseName) ? undefined : stageReference(stages, baseName, stage.index);
  if (ref !== undefined) return results.get(ref);
  if (baseName.toLowerCase() === 'scratch') return undefined;
  const image = run.images.find(baseName);
  if (image) return image;
  if (run.options.pull) {
    throw notFound(
      `pull access denied for ${baseName}: pulling from a registry is not available, and the image is not present locally`,
    );
  }
  throw notFound(`No such image: ${baseName}`);
}

/** The base image's ONBUILD triggers run first, then are dropped from the config. */
async function runTriggers(
  run: BuildRun,
  state: StageState,
  escape: ParsedDockerfile['escapeToken'],
): Promise<void> {
  const triggers = state.runConfig.OnBuild ?? [];
  if (triggers.length === 0) return;
  state.runConfig.OnBuild = null;
  run.output(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
  for (const trigger of triggers) {
    const parsed = parseInstruction(parseInstructionLine(trigger, escape));
    if (parsed.kind === 'from') throw invalidArgument("FROM isn't allowed as an ONBUILD trigger");
    await dispatchExpanded(run, state, parsed, escape);
  }
}
