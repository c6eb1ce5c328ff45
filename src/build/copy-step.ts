import { createReadStream } from 'node:fs';
import { posix } from 'node:path';

import { archiveTree } from '../containers/index.js';
import { invalidArgument } from '../core/index.js';
import type { Instruction } from '../oci/index.js';
import type { BuildRun } from './build-run.js';
import {
  type CopySource,
  combinedHash,
  normalizeDest,
  resolveCopySources,
  treeHash,
} from './copy-sources.js';
import { inStepContainer, probeCache } from './step-commit.js';
import { withNopComment } from './run-config.js';
import { readsAsTar } from './tar-sniff.js';
import type { StageState } from './stage-state.js';
import type { StepContainer } from './step-containers.js';
import { fetchUrlSource } from './url-source.js';

type CopyInstruction = Extract<Instruction, { kind: 'copy' | 'add' }>;

interface Source extends CopySource {
  /** ADD of a local archive: unpacked at the destination. */
  unpack: boolean;
}

/**
 * COPY and ADD: sources from the context (or `--from` a stage or image) are written into the
 * step's container and committed. Files from the context belong to root unless `--chown`
 * says otherwise; `--from` keeps the owners of the source. `--chmod` sets the permission bits.
 */
export async function performCopy(
  run: BuildRun,
  state: StageState,
  instr: CopyInstruction,
): Promise<void> {
  const command = instr.kind === 'add' ? 'ADD' : 'COPY';
  const from = instr.kind === 'copy' ? instr.from : undefined;
  const view = from ? await run.imageView(from) : undefined;
  try {
    const root = view?.root ?? run.contextDir;
    const sources = await collectSources(run, command, root, instr.sources);
    const dest = normalizeDest(state.runConfig.WorkingDir ?? '', instr.dest);
    if (sources.length > 1 && !dest.endsWith('/')) {
      throw invalidArgument(
        `When using ${command} with more than one source file, the destination must be a directory and end with a /`,
      );
    }
    const chown = instr.chown ? `--chown=${instr.chown} ` : '';
    const hash = combinedHash(sources.map((s) => s.hash));
    const key = withNopComment(
      state.runConfig,
      `${command} ${chown}${hash} in ${dest} `,
      'one-word',
    );
    if (await probeCache(run, state, key)) return;
    const owner = instr.chown
      ? await run.resolveChown(state, instr.chown)
      : from
        ? undefined
        : { uid: 0, gid: 0 };
    const chmod = instr.chmod ? parseChmod(instr.chmod) : undefined;
    await inStepContainer(run, state, key, async (container) => {
      for (const source of sources) {
        await copySource(run, container, source, dest, { owner, chmod });
      }
    });
  } finally {
    await view?.release();
  }
}

function parseChmod(text: string): number {
  if (!/^[0-7]{3,4}$/.test(text)) throw invalidArgument(`invalid chmod parameter: ${text}`);
  return Number.parseInt(text, 8);
}

async function collectSources(
  run: BuildRun,
  command: string,
  root: string,
  patterns: readonly string[],
): Promise<Source[]> {
  const out: Source[] = [];
  for (const pattern of patterns) {
    if (/^https?:\/\//.test(pattern)) {
      if (command === 'COPY') throw invalidArgument("source can't be a URL for COPY");
      run.output(`Downloading ${pattern}\n`);
      const file = await fetchUrlSource(pattern, {
        dir: await run.scratchDir(),
        signal: run.signal,
      });
      out.push({
        original: pattern,
        hostPath: file.path,
        baseName: file.name,
        isDir: false,
        hash: `file:${await treeHash(file.path)}`,
        unpack: false,
      });
      continue;
    }
    for (const source of await resolveCopySources(root, [pattern], command)) {
      const unpack =
        command === 'ADD' && !source.isDir && (await readsAsTar(createReadStream(source.hostPath)));
      out.push({ ...source, unpack });
    }
  }
  return out;
}

async function copySource(
  run: BuildRun,
  container: StepContainer,
  source: Source,
  dest: string,
  attrs: { owner: { uid: number; gid: number } | undefined; chmod: number | undefined },
): Promise<void> {
  const destIsDir = await run.steps.isDirectory(container, dest);
  if (source.unpack) {
    await run.steps.extractAt(container, dest, createReadStream(source.hostPath), run.signal);
    return;
  }
  if (source.isDir) {
    // As Docker: a directory's contents go into the destination; a new destination is made
    // 0755 for the new owner (or root), under new parents of root's.
    const root = { uid: 0, gid: 0 };
    const directories = destIsDir
      ? []
      : [
          ...(await newParents(run, container, dest)).map((name) => ({ name, ...root })),
          { name: `${relative(dest)}/`, ...(attrs.owner ?? root) },
        ];
    const tar = archiveTree(source.hostPath, {
      name: relative(dest),
      includeTop: false,
      ...attrs,
      directories,
      signal: run.signal,
    });
    await run.steps.extract(container, tar, run.signal);
    return;
  }
  const intoDir = destIsDir || dest.endsWith('/');
  // A download the URL and the server left unnamed can only go to a named destination.
  if (intoDir && source.baseName === '') {
    throw invalidArgument(`cannot determine filename for source ${source.original}`);
  }
  const target = intoDir ? posix.join(dest, source.baseName) : dest;
  const tar = archiveTree(source.hostPath, {
    name: relative(target),
    includeTop: true,
    ...attrs,
    // New parents belong to the new owner, as Docker's.
    directories: (await newParents(run, container, target)).map((name) => ({
      name,
      ...(attrs.owner ?? { uid: 0, gid: 0 }),
    })),
    signal: run.signal,
  });
  await run.steps.extract(container, tar, run.signal);
}

/** The directories above `target` that do not exist yet (`a/`, `a/b/`). */
async function newParents(
  run: BuildRun,
  container: StepContainer,
  target: string,
): Promise<string[]> {
  const parts = relative(target).split('/').slice(0, -1);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const path = parts.slice(0, i + 1).join('/');
    if (out.length === 0 && (await run.steps.isDirectory(container, `/${path}`))) continue;
    out.push(`${path}/`);
  }
  return out;
}

function relative(path: string): string {
  const rel = posix.normalize(path).replace(/^\/+/, '').replace(/\/+$/, '');
  return rel === '' ? '.' : rel;
}
