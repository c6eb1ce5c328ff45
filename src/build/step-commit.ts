import type { ImageRecord } from '../images/index.js';
import type { BuildRun } from './build-run.js';
import { type RunConfig, withNopComment } from './run-config.js';
import { type StageState, childImageConfig } from './stage-state.js';
import type { StepContainer } from './step-containers.js';

/**
 * How steps end: a cache hit moves the stage to the cached image; otherwise a metadata step
 * records an image without a layer, and a container step records its container's changes.
 */

/** Probes the cache; on a miss records an image without a layer for the step. */
export async function commitMetadata(
  run: BuildRun,
  state: StageState,
  comment: string,
  form: 'two-words' | 'one-word' = 'two-words',
): Promise<void> {
  const key = withNopComment(state.runConfig, comment, form);
  if (await probeCache(run, state, key)) return;
  setImage(
    state,
    await run.images.add(childImageConfig(state, { containerConfig: key }), state.image),
  );
}

/** True (and the state moved to the cached image) on a cache hit. */
export async function probeCache(
  run: BuildRun,
  state: StageState,
  key: RunConfig,
): Promise<boolean> {
  if (run.options.noCache) return false;
  const hit = await run.images.probe(state.image, key, state.runConfig);
  if (!hit) return false;
  run.output(' ---> Using cache\n');
  setImage(state, hit);
  return true;
}

export function setImage(state: StageState, image: ImageRecord): void {
  state.image = image;
  state.base = image.config;
}

/**
 * Creates the step's container from the current image, lets `work` change it, and records
 * its changes as the step's image; the container is removed after (Docker's `--rm`).
 */
export async function inStepContainer(
  run: BuildRun,
  state: StageState,
  key: RunConfig,
  work: (container: StepContainer) => Promise<void>,
  options: { runConfig?: RunConfig; announce?: boolean } = {},
): Promise<void> {
  // A stage on scratch has no image yet: an empty one carries the container, then goes.
  const image = state.image ?? (await run.scratchImage(state));
  const scratch = state.image ? undefined : image;
  const container = await run.steps.create(image.id, options.runConfig ?? key);
  if (options.announce) run.output(` ---> Running in ${container.shortId}\n`);
  let ok = false;
  try {
    await work(container);
    const config = childImageConfig(state, { containerConfig: key, containerId: container.id });
    setImage(state, await run.images.commit(container.id, config, state.image));
    ok = true;
  } finally {
    await run.removeContainer(container, { succeeded: ok, announced: options.announce === true });
    if (scratch) await run.dropScratchImage(scratch);
  }
}
