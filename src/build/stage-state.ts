import type { ImageRecord } from '../images/index.js';
import { type Digest, type HistoryEntry, type ImageConfig, currentPlatform } from '../oci/index.js';
import { type RunConfig, copyRunConfig, createdByOf } from './run-config.js';

/**
 * Where a stage stands between two steps: the image the last step made (undefined only
 * right after `FROM scratch`), the run configuration carried to the next step, and the
 * author MAINTAINER set.
 */
export interface StageState {
  name: string | undefined;
  index: number;
  image: ImageRecord | undefined;
  /** The image config the next step builds on (the image's, or an empty one for scratch). */
  base: ImageConfig;
  runConfig: RunConfig;
  maintainer: string | undefined;
  /** A CMD was given in this stage: a later ENTRYPOINT keeps it. */
  cmdSet: boolean;
}

/** The image config of `FROM scratch`: nothing but the platform. */
export function scratchConfig(): ImageConfig {
  const platform = currentPlatform();
  return {
    architecture: platform.architecture,
    os: platform.os,
    rootfs: { type: 'layers', diff_ids: [] },
  };
}

export function beginStage(
  name: string | undefined,
  index: number,
  image: ImageRecord | undefined,
): StageState {
  const base = image?.config ?? scratchConfig();
  return {
    name,
    index,
    image,
    base,
    runConfig: copyRunConfig(base.config ?? {}),
    maintainer: undefined,
    cmdSet: false,
  };
}

/**
 * The config of a step's image (Docker's child image): the parent's, with the run config,
 * the step's cache key config, one more history entry, and the new layer if there is one.
 */
export function childImageConfig(
  state: StageState,
  step: { containerConfig: RunConfig; diffId?: Digest | undefined; containerId?: string },
): ImageConfig {
  const created = new Date().toISOString();
  const entry: HistoryEntry = { created, created_by: createdByOf(step.containerConfig) };
  if (state.maintainer) entry.author = state.maintainer;
  if (!step.diffId) entry.empty_layer = true;
  const parent = state.base;
  const config: ImageConfig = {
    architecture: parent.architecture,
    ...(parent.variant ? { variant: parent.variant } : {}),
    os: parent.os,
    ...(state.maintainer ? { author: state.maintainer } : {}),
    created,
    config: copyRunConfig(state.runConfig),
    container: step.containerId ?? '',
    container_config: copyRunConfig(step.containerConfig),
    rootfs: {
      type: 'layers',
      diff_ids: step.diffId
        ? [...parent.rootfs.diff_ids, step.diffId]
        : [...parent.rootfs.diff_ids],
    },
    history: [...(parent.history ?? []), entry],
  };
  return config;
}
