import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { ContainerService } from '../containers/index.js';
import { hasErrno, invalidArgument } from '../core/index.js';
import { type ImageRecord, type ImageService, type Images, familiar } from '../images/index.js';
import { parseDockerfile } from '../oci/index.js';
import { resolveUser } from '../runtime/index.js';
import { type BuildArgs, createBuildArgs, stageArgs } from './build-args.js';
import { type BuildCacheIndex, openBuildCacheIndex } from './build-cache.js';
import { openBuildContext } from './build-context.js';
import type { BuildOptions } from './build-options.js';
import type { BuildRun } from './build-run.js';
import { runDockerfile } from './builder.js';
import { openImageView } from './image-view.js';
import { scratchConfig } from './stage-state.js';
import { type BuildOutput, createStepContainers } from './step-containers.js';
import { createStepImages } from './step-images.js';
import { pruneBuildCache, type BuildCacheUsage, buildCacheUsage } from './cache-prune.js';

export interface BuildService {
  /** Builds; resolves with the image id. Output goes to `output` as Docker's stream. */
  build(
    body: AsyncIterable<Buffer>,
    options: BuildOptions,
    output: { stream(text: string): void; aux(imageId: string): void },
    signal: AbortSignal,
  ): Promise<string>;
  /** `builder prune`: cache images nothing else holds; `all` also those under tagged images. */
  prune(options: {
    all: boolean;
    filters: Record<string, string[]>;
    keepStorage: number;
  }): Promise<{ deleted: string[]; reclaimed: number }>;
  /** The cache records for `system df`. */
  usage(): Promise<BuildCacheUsage[]>;
}

export interface BuildServiceOptions {
  images: Images;
  imageService: ImageService;
  containers: ContainerService;
  dataRoot: string;
}

export async function createBuildService(deps: BuildServiceOptions): Promise<BuildService> {
  const cache = await openBuildCacheIndex(join(deps.dataRoot, 'build'));
  const tmpRoot = join(deps.dataRoot, 'tmp');
  return {
    async build(body, options, output, signal) {
      const held: string[] = [];
      const out: BuildOutput = options.quiet
        ? (text) => held.push(text)
        : (text) => output.stream(text);
      const context = await openBuildContext({
        body,
        remote: options.remote,
        dockerfile: options.dockerfile || undefined,
        tmpDir: tmpRoot,
        signal,
      });
      const scratch: string[] = [];
      try {
        const parsed = parseDockerfile(context.dockerfileText, context.dockerfileName);
        const run = newRun(deps, cache, {
          options,
          contextDir: context.dir,
          tmpRoot,
          scratch,
          signal,
        });
        const image = await runDockerfile(parsed, run, out, (id) => {
          if (!options.quiet) output.aux(id);
        });
        for (const tag of options.tags) await deps.imageService.tag(image.id, tag);
        if (options.quiet) {
          output.stream(`${image.id}\n`);
        } else {
          out(`Successfully built ${image.id.slice(7, 19)}\n`);
          for (const tag of options.tags) out(`Successfully tagged ${familiar(tag)}\n`);
        }
        return image.id;
      } catch (err) {
        for (const text of held) output.stream(text);
        throw err;
      } finally {
        await cache.flush();
        await context.close();
        for (const dir of scratch) await rm(dir, { recursive: true, force: true });
      }
    },
    prune: (options) => pruneBuildCache(deps, cache, options),
    usage: () => buildCacheUsage(deps, cache),
  };
}

function newRun(
  deps: BuildServiceOptions,
  cache: BuildCacheIndex,
  build: {
    options: BuildOptions;
    contextDir: string;
    tmpRoot: string;
    scratch: string[];
    signal: AbortSignal;
  },
) {
  const { options } = build;
  const args: BuildArgs = createBuildArgs(options.buildArgs);
  const images = createStepImages({
    images: deps.images,
    containers: deps.containers,
    cache,
    cacheFrom: options.cacheFrom,
    tag: (id, ref) => deps.imageService.tag(id, ref),
  });
  const steps = createStepContainers(deps.containers, options.hostConfig);
  const results = new Map<number, ImageRecord | undefined>();
  const runFor = (
    output: BuildOutput,
    stageOf: (from: string) => number | undefined,
  ): BuildRun => ({
    options,
    args: stageArgs(args),
    images,
    steps,
    output,
    signal: build.signal,
    contextDir: build.contextDir,
    async scratchDir() {
      const dir = await mkdtemp(join(build.tmpRoot, 'build-'));
      build.scratch.push(dir);
      return dir;
    },
    async imageView(from) {
      const stage = stageOf(from);
      const image = stage !== undefined ? results.get(stage) : images.find(from);
      if (stage === undefined && !image) {
        throw invalidArgument(`invalid from flag value ${from}: No such image: ${from}`);
      }
      return openImageView(deps.images, image, build.tmpRoot);
    },
    async resolveChown(state, chown) {
      if (/^\d+(:\d+)?$/.test(chown)) {
        const [uid, gid = uid] = chown.split(':').map(Number) as [number, number?];
        return { uid, gid };
      }
      const view = await openImageView(deps.images, state.image, build.tmpRoot);
      try {
        const read = (name: string) =>
          readFile(join(view.root, 'etc', name), 'utf8').catch((err: unknown) => {
            if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
            throw err;
          });
        const [user, group] = chown.split(':') as [string, string?];
        const resolved = resolveUser({
          passwd: await read('passwd'),
          group: await read('group'),
          user: group === undefined ? user : `${user}:${group}`,
        });
        return { uid: resolved.uid, gid: group === undefined ? resolved.uid : resolved.gid };
      } finally {
        await view.release();
      }
    },
    async scratchImage(state) {
      const config = { ...scratchConfig(), config: state.runConfig };
      return deps.images.images.add(Buffer.from(JSON.stringify(config)));
    },
    async dropScratchImage(image) {
      if (deps.containers.containerUsing(image.id)) return;
      if (deps.images.images.children(image.id).length > 0) return;
      await deps.images.images.delete(image.id);
    },
    async removeContainer(container, how) {
      // Only RUN containers are the user's to keep: COPY, ADD and WORKDIR's are the engine's.
      const keep = how.succeeded ? !options.remove : !options.forceRemove;
      if (how.announced && keep) return;
      await steps.remove(container);
      if (how.announced) output(` ---> Removed intermediate container ${container.shortId}\n`);
    },
  });
  return { runFor, results };
}
