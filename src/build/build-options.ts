import type { HostConfig } from '../api-types/index.js';
import { MoorError } from '../core/index.js';

/** What a build is asked to do (the query of `POST /build`, decoded). */
export interface BuildOptions {
  /** Normalised references to tag the result with. */
  tags: string[];
  /** The Dockerfile's path in the context ('' → Docker's default). */
  dockerfile: string;
  /** `--build-arg`s; null when given without a value. */
  buildArgs: Record<string, string | null>;
  /** `--label`s, added to the last stage as a LABEL would. */
  labels: Record<string, string>;
  noCache: boolean;
  /** Images whose steps may be reused (replaces the local cache, as in Docker). */
  cacheFrom: string[];
  pull: boolean;
  /** Remove the containers of successful steps (default). */
  remove: boolean;
  /** Remove the containers of failed steps too. */
  forceRemove: boolean;
  target: string | undefined;
  platform: string | undefined;
  quiet: boolean;
  /** A URL to fetch the context (or Dockerfile) from instead of the body. */
  remote: string | undefined;
  /** For the containers of RUN steps: resources, network mode, extra hosts, shm size. */
  hostConfig: HostConfig;
}

/**
 * A step that failed with a status of its own: a RUN whose command exited non-zero. The
 * code travels in the error message of the build stream, and the docker CLI exits with it.
 */
export class BuildStepError extends MoorError {
  readonly code: number;
  constructor(message: string, code: number) {
    super('InvalidArgument', message);
    this.code = code;
  }
}
