import type { HostConfig } from '../api-types/index.js';
import { createTarWriter } from '../archive/index.js';
import type { ContainerService } from '../containers/index.js';
import { isMoorError } from '../core/index.js';
import type { Digest } from '../oci/index.js';
import type { RunConfig } from './run-config.js';

/** Where a build's text output goes (Docker's `stream` messages). */
export type BuildOutput = (text: string) => void;

/** The container a step runs in (RUN) or writes into (COPY, ADD, WORKDIR). */
export interface StepContainer {
  id: string;
  shortId: string;
}

/**
 * The containers of build steps, over the container service: created from the step's image
 * with the build's host config (Docker's: resources, network mode, extra hosts, shm size, no
 * log driver), run with their output streamed into the build's, committed, removed.
 */
export interface StepContainers {
  create(image: Digest | undefined, config: RunConfig): Promise<StepContainer>;
  /** Starts the container and streams its output; resolves with its exit code. */
  run(container: StepContainer, output: BuildOutput, signal: AbortSignal): Promise<number>;
  /** Extracts a tar at `/` of the container's filesystem (missing parents are created). */
  extract(container: StepContainer, tar: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void>;
  /** Extracts a tar (plain or compressed) into directory `dir`, created when missing. */
  extractAt(
    container: StepContainer,
    dir: string,
    tar: AsyncIterable<Buffer>,
    signal: AbortSignal,
  ): Promise<void>;
  /** True when `path` is a directory in the container (following links inside it). */
  isDirectory(container: StepContainer, path: string): Promise<boolean>;
  remove(container: StepContainer): Promise<void>;
}

export function createStepContainers(
  containers: ContainerService,
  hostConfig: HostConfig,
): StepContainers {
  return {
    async create(image, config) {
      const { id } = await containers.create({
        ...config,
        Healthcheck: config.Healthcheck ?? undefined,
        Image: image ?? '',
        HostConfig: { ...hostConfig, LogConfig: { Type: 'none', Config: {} } },
      });
      return { id, shortId: id.slice(0, 12) };
    },
    async run(container, output, signal) {
      // Attached before the start (the attach registers at once), so no output is missed.
      const attached = containers.attach(
        container.id,
        { stdin: false, stdout: true, stderr: true },
        [],
        { output: (entry) => output(entry.line.toString('utf8')), signal },
      );
      try {
        await containers.start(container.id);
        return (await containers.wait(container.id, 'not-running', signal)).exitCode;
      } finally {
        await attached;
      }
    },
    async extract(container, tar, signal) {
      await containers.extractArchive(container.id, '/', tar, {
        noOverwriteDirNonDir: false,
        copyUIDGID: false,
        signal,
      });
    },
    async extractAt(container, dir, tar, signal) {
      if (!(await this.isDirectory(container, dir))) {
        await this.extract(container, directoryTar(dir), signal);
      }
      await containers.extractArchive(container.id, dir, tar, {
        noOverwriteDirNonDir: false,
        copyUIDGID: false,
        signal,
      });
    },
    async isDirectory(container, path) {
      try {
        // A trailing slash follows a link at the end and fails on anything but a directory.
        await containers.statPath(container.id, `${path.replace(/\/+$/, '')}/`);
        return true;
      } catch (err) {
        if (isMoorError(err, 'NotFound') || isMoorError(err, 'InvalidArgument')) return false;
        throw err;
      }
    },
    async remove(container) {
      await containers.remove(container.id, { force: true, volumes: true, link: false });
    },
  };
}

/** A tar holding one directory (0755, root); the extraction creates its parents. */
export async function* directoryTar(dir: string): AsyncGenerator<Buffer> {
  const writer = createTarWriter();
  const name = `${dir.replace(/^\/+/, '').replace(/\/+$/, '')}/`;
  const adding = (async () => {
    await writer.add({ name, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date() });
    await writer.finish();
  })();
  try {
    for await (const chunk of writer.readable) yield chunk as Buffer;
  } finally {
    await adding;
  }
}
