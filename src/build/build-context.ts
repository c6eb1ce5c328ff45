import { lstat, mkdir, mkdtemp, readFile, readdir, rm, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';

import { BLOCK_SIZE, detectCompression, isZeroBlock } from '../archive/index.js';
import { extractIntoRoot, resolveInRoot } from '../containers/index.js';
import {
  errorMessage,
  hasErrno,
  internal,
  invalidArgument,
  isMoorError,
  notFound,
  pathExists,
} from '../core/index.js';
import {
  type IgnoreMatcher,
  createIgnoreMatcher,
  goCleanPath,
  parseDockerignore,
} from '../oci/index.js';
import { cloneGitContext, decompressWithHostTool, findExecutable } from '../sys/index.js';
import { downloadRemoteContext, isGitUrl, isHttpUrl } from './remote-context.js';
import { readHead } from './stream-head.js';
import { readsAsTar } from './tar-sniff.js';

/** A build's context, extracted, with its Dockerfile read. */
export interface BuildContext {
  /** The context's files (an empty directory for a Dockerfile sent alone). */
  dir: string;
  /** The Dockerfile's path in the context as found (`dockerfile` when `Dockerfile` is not). */
  dockerfileName: string;
  dockerfileText: string;
  /** The patterns of the context's `.dockerignore` ([] without one). */
  dockerignore: string[];
  /** Removes everything openBuildContext made. */
  close(): Promise<void>;
}

export interface OpenBuildContextOptions {
  /** The request body: a tar (plain, gzip, bzip2, xz or zstd) or a Dockerfile alone. */
  body: AsyncIterable<Buffer>;
  /** `remote`: an http(s) URL (archive or Dockerfile) or a Git URL; the body is then unused. */
  remote?: string | undefined;
  /** The Dockerfile's path in the context (default `Dockerfile`). */
  dockerfile?: string | undefined;
  /** Where the context directory is made. */
  tmpDir: string;
  signal: AbortSignal;
}

const DEFAULT_DOCKERFILE = 'Dockerfile';

/** What dockerd answers for the experimental session remote its legacy builder no longer has. */
const SESSION_REMOTE = 'client-session';

/**
 * Opens a build's context as dockerd's legacy builder does (remotecontext.Detect), in a new
 * directory under `tmpDir` that close() removes:
 * - the body is a tar, extracted safely (no entry leaves the directory, links included;
 *   modes, times, owners, symlinks and hard links kept), or — not being an archive — the
 *   Dockerfile alone with an empty context;
 * - `remote` is a Git repository (cloned) or an http(s) URL: an archive, or a Dockerfile alone
 *   when served as text/plain;
 * - the Dockerfile is found in the context (symlinks resolved inside it; `Dockerfile` falls
 *   back to `dockerfile`) and must not be empty;
 * - the `.dockerignore` is applied: dockerd removes the Dockerfile and `.dockerignore` once
 *   read when they are excluded (they are read, but COPY cannot see them), and the rest of
 *   what it excludes is removed as the docker CLI leaves it out of the context.
 * Errors use dockerd's words: `Cannot locate specified Dockerfile: <name>`, `the Dockerfile
 * (<name>) cannot be empty` (InvalidArgument), `forbidden path outside the build context:
 * <name> ()`, and the remote's (see downloadRemoteContext).
 */
export async function openBuildContext(options: OpenBuildContextOptions): Promise<BuildContext> {
  await mkdir(options.tmpDir, { recursive: true });
  const dir = await mkdtemp(join(options.tmpDir, 'context-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    const source = await fillContext(dir, options);
    if (source.kind === 'dockerfile') {
      const { text } = source;
      return {
        dir,
        dockerfileName: DEFAULT_DOCKERFILE,
        dockerfileText: text,
        dockerignore: [],
        close,
      };
    }
    const dockerfile = await locateDockerfile(
      source.root,
      options.dockerfile || DEFAULT_DOCKERFILE,
    );
    const dockerignore = await applyDockerignore(source.root, dockerfile.name);
    return {
      dir: source.root,
      dockerfileName: dockerfile.name,
      dockerfileText: dockerfile.text,
      dockerignore,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

type ContextSource = { kind: 'dockerfile'; text: string } | { kind: 'tree'; root: string };

/** Puts the context's files under `dir`; the root of the context (or the Dockerfile alone). */
async function fillContext(dir: string, options: OpenBuildContextOptions): Promise<ContextSource> {
  const { remote, signal } = options;
  if (remote === undefined || remote === '') return fromBody(dir, options.body, signal);
  if (remote === SESSION_REMOTE) {
    throw invalidArgument(
      'experimental session with v1 builder is no longer supported, use builder version v2 (BuildKit) instead',
    );
  }
  if (isGitUrl(remote)) return { kind: 'tree', root: await cloneContext(remote, dir, signal) };
  if (!isHttpUrl(remote))
    throw invalidArgument(`remoteURL (${remote}) could not be recognized as URL`);
  const downloaded = await downloadRemoteContext(remote, signal);
  if (downloaded.kind === 'dockerfile') return downloaded;
  await extractContext(dir, downloaded.body, signal);
  return { kind: 'tree', root: dir };
}

/** The body: an archive to extract, nothing (an empty context), or a Dockerfile. */
async function fromBody(
  dir: string,
  body: AsyncIterable<Buffer>,
  signal: AbortSignal,
): Promise<ContextSource> {
  const { head, stream } = await readHead(body, 64 * 1024);
  if (head.length === 0 || (await isArchive(head))) {
    await extractContext(dir, stream, signal);
    return { kind: 'tree', root: dir };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { kind: 'dockerfile', text: Buffer.concat(chunks).toString('utf8') };
}

/**
 * The docker CLI's test (compressed data, or a start that reads as a tar), an all-zero first
 * block (an empty tar) included.
 */
async function isArchive(head: Buffer): Promise<boolean> {
  if (detectCompression(head) !== 'none') return true;
  if (head.length >= BLOCK_SIZE && isZeroBlock(head.subarray(0, BLOCK_SIZE))) return true;
  return readsAsTar(Readable.from([head]));
}

/** Extracts a (possibly compressed) tar into `dir`: gzip here, the others by the host's tools. */
async function extractContext(
  dir: string,
  body: AsyncIterable<Buffer>,
  signal: AbortSignal,
): Promise<void> {
  const { head, stream } = await readHead(body, 8);
  const format = detectCompression(head);
  const plain =
    format === 'bzip2' || format === 'xz' || format === 'zstd'
      ? decompressWithHostTool(format, stream, signal)
      : stream;
  await extractIntoRoot(dir, '/', plain, {
    noOverwriteDirNonDir: false,
    copyUIDGID: false,
    signal,
  });
}

/** A Git remote cloned into `dir`; the context's root (a subdirectory with `#ref:dir`). */
async function cloneContext(url: string, dir: string, signal: AbortSignal): Promise<string> {
  if ((await findExecutable('git')) === undefined) {
    throw invalidArgument(
      `unable to prepare context: unable to find 'git': exec: "git": executable file not found in $PATH`,
    );
  }
  try {
    return await cloneGitContext(url, join(dir, 'git'), signal);
  } catch (err) {
    throw invalidArgument(
      `unable to prepare context: unable to 'git clone' to temporary context directory: ${errorMessage(err)}`,
      err,
    );
  }
}

/**
 * A path of the context with its symlinks resolved inside it (dockerd's FullPath: the context
 * acts as `/`); a path that leaves the context lexically is refused with dockerd's words.
 */
async function contextPath(root: string, path: string): Promise<string> {
  const full = posix.join(root, path).replace(/\/+$/, '');
  if (full !== root && !full.startsWith(`${root}/`)) {
    throw invalidArgument(`forbidden path outside the build context: ${path} ()`);
  }
  return resolveInRoot(root, posix.relative(root, full), { followLast: true });
}

/** dockerd's withDockerfileFromContext: the Dockerfile's name as found, and its text. */
async function locateDockerfile(
  root: string,
  name: string,
): Promise<{ name: string; text: string }> {
  const path = await contextPath(root, name);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) {
      if (
        name === DEFAULT_DOCKERFILE &&
        (await pathExists(await contextPath(root, 'dockerfile')))
      ) {
        return locateDockerfile(root, 'dockerfile');
      }
      throw notFound(`Cannot locate specified Dockerfile: ${name}`);
    }
    if (hasErrno(err, 'EISDIR')) {
      throw invalidArgument(
        `unexpected error reading Dockerfile: read ${path}: is a directory`,
        err,
      );
    }
    if (hasErrno(err, 'ENOTDIR')) throw invalidArgument(`open ${path}: not a directory`, err);
    throw err;
  }
  if (data.length === 0) throw invalidArgument(`the Dockerfile (${name}) cannot be empty`);
  return { name, text: data.toString('utf8') };
}

/**
 * Reads the context's `.dockerignore` and applies it; returns its patterns. First as dockerd
 * does (removeDockerfile): `.dockerignore` and the Dockerfile, once read, are removed when the
 * patterns exclude them. Then everything else the patterns exclude goes, as the docker CLI
 * walks a context (an excluded directory is entered only when an exception names a path
 * below it). Patterns Docker's matcher refuses remove nothing, as in dockerd.
 */
async function applyDockerignore(root: string, dockerfileName: string): Promise<string[]> {
  const path = await contextPath(root, '.dockerignore');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    if (hasErrno(err, 'EISDIR')) {
      throw invalidArgument(`error reading .dockerignore: read ${path}: is a directory`, err);
    }
    throw err;
  }
  let patterns: string[];
  try {
    patterns = parseDockerignore(text);
  } catch (err) {
    throw internal(`error reading .dockerignore: ${errorMessage(err)}`, err);
  }
  const excluded = safeMatcher(patterns);
  if (excluded === undefined) return patterns;
  for (const file of ['.dockerignore', dockerfileName]) {
    const clean = goCleanPath(file);
    if (clean !== '.' && excluded(clean)) {
      await rm(await contextPath(root, file), { recursive: true, force: true });
    }
  }
  await pruneExcluded(root, '', excluded, createIgnoreMatcher(patterns));
  return patterns;
}

/** The matcher's test, or undefined when the patterns are invalid; a bad regexp matches nothing. */
function safeMatcher(patterns: string[]): ((path: string) => boolean) | undefined {
  let matcher: IgnoreMatcher;
  try {
    matcher = createIgnoreMatcher(patterns);
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) return undefined;
    throw err;
  }
  return (path) => {
    try {
      return matcher.matches(path);
    } catch (err) {
      if (isMoorError(err, 'InvalidArgument')) return false;
      throw err;
    }
  };
}

/**
 * Removes what the patterns exclude under `rel` (a directory of the context). A directory that
 * loses entries gets its times back; an excluded directory entered for its exceptions is
 * removed when nothing in it stays (the docker CLI would not have sent it).
 */
async function pruneExcluded(
  root: string,
  rel: string,
  excluded: (path: string) => boolean,
  matcher: IgnoreMatcher,
): Promise<void> {
  const dir = rel === '' ? root : join(root, rel);
  const before = await lstat(dir);
  let removed = false;
  for (const name of await readdir(dir)) {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const path = join(dir, name);
    const info = await lstat(path);
    if (!excluded(relPath)) {
      if (info.isDirectory()) await pruneExcluded(root, relPath, excluded, matcher);
      continue;
    }
    if (info.isDirectory() && matcher.mayMatchInside(relPath)) {
      await pruneExcluded(root, relPath, excluded, matcher);
      if ((await readdir(path)).length > 0) continue;
    }
    await rm(path, { recursive: true, force: true });
    removed = true;
  }
  if (removed) await utimes(dir, before.atime, before.mtime);
}
