import type { ImageRecord } from '../images/index.js';
import type { BuildArgs } from './build-args.js';
import type { BuildOptions } from './build-options.js';
import type { StageState } from './stage-state.js';
import type { BuildOutput, StepContainer, StepContainers } from './step-containers.js';
import type { StepImages } from './step-images.js';

/** A read-only view of an image's (or stage result's) files, for COPY --from. */
export interface ImageView {
  root: string;
  release(): Promise<void>;
}

/** Everything the steps of one build share. */
export interface BuildRun {
  options: BuildOptions;
  args: BuildArgs;
  images: StepImages;
  steps: StepContainers;
  /** The stage's output (ordered with the other stages' by the builder). */
  output: BuildOutput;
  signal: AbortSignal;
  /** The extracted build context. */
  contextDir: string;
  /** A scratch directory of this build (downloads), removed with it. */
  scratchDir(): Promise<string>;
  /** The files of a stage (by name or index) or an image, for COPY --from. */
  imageView(from: string): Promise<ImageView>;
  /** `--chown` of a COPY/ADD: ids from the stage's image's passwd and group files. */
  resolveChown(state: StageState, chown: string): Promise<{ uid: number; gid: number }>;
  /** An image without layers for a container on `FROM scratch`. */
  scratchImage(state: StageState): Promise<ImageRecord>;
  /** Forgets a scratch image once no container (a kept failed step's) uses it. */
  dropScratchImage(image: ImageRecord): Promise<void>;
  /**
   * Removes a step's container. A RUN's (announced in the output) goes after success unless
   * `rm` is off and after failure only with `forcerm`, and its removal is reported, as in
   * Docker's output; the others always go, silently.
   */
  removeContainer(
    container: StepContainer,
    how: { succeeded: boolean; announced: boolean },
  ): Promise<void>;
}
