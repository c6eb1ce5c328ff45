import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { detectCompression } from '../archive/index.js';
import { extractIntoRoot } from '../containers/index.js';
import { createIgnoreMatcher, parseDockerignore } from '../oci/index.js';
import { errorMessage, hasErrno, invalidArgument, notFound, unavailable } from '../core/index.js';
import { cloneGitContext } from '../sys/index.js';
import { readsAsTar } from './tar-sniff.js';

/** The build context, extracted: where it is, and its Dockerfile. */
export interface BuildContext {
  dir: string;
  dockerfileName: string;
  dockerfileText: string;
  /** `.dockerignore` patterns of the context (applied by the client). */
  dockerignore: string[];
  close(): Promise<void>;
}

/**
 * Opens a build's context: the body is a tar (plain or compressed) extracted under `tmpDir`
 * (entries cannot leave it), or — when it is not an archive — the Dockerfile itself with an
 * empty context; `remote` fetches the body from a URL instead. The Dockerfile is read from
 * the context: `dockerfile` (default `Dockerfile`, then `dockerfile`).
 */
export async function openBuildContext(options: {
  body: AsyncIterable<Buffer>;
  remote?: string | undefined;
  dockerfile?: string | undefined;
  tmpDir: string;
  signal: AbortSignal;
}): Promise<BuildContext> {
  await mkdir(options.tmpDir, { recursive: true });
  const dir = await mkdtemp(join(options.tmpDir, 'context-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    if (options.remote && isGitUrl(options.remote)) {
      return await gitContext(options.remote, dir, options, close);
    }
    const body = options.remote ? await fetchRemote(options.remote, options.signal) : options.body;
    const { head, rest } = await peek(body);
    let dockerfileName = options.dockerfile ?? 'Dockerfile';
    if (await looksLikeTar(head)) {
      await extractIntoRoot(dir, '/', rest, {
        noOverwriteDirNonDir: false,
        copyUIDGID: false,
        signal: options.signal,
      });
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of rest) chunks.push(chunk);
      dockerfileName = 'Dockerfile';
      return {
        dir,
        dockerfileName,
        dockerfileText: checkText(Buffer.concat(chunks).toString('utf8'), dockerfileName),
        dockerignore: [],
        close,
      };
    }
    if (!options.dockerfile) {
      const lower = await isFile(join(dir, 'dockerfile'));
      if (!(await isFile(join(dir, 'Dockerfile'))) && lower) dockerfileName = 'dockerfile';
    }
    const path = posix.normalize(`/${dockerfileName}`);
    const text = await readDockerfile(join(dir, path), dockerfileName);
    const ignore = await readFile(join(dir, '.dockerignore'), 'utf8').catch((err: unknown) => {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) return '';
      throw err;
    });
    const dockerignore = parseDockerignore(ignore);
    await removeIgnoredBuildFiles(dir, dockerignore, [path, '/.dockerignore']);
    return {
      dir,
      dockerfileName,
      dockerfileText: checkText(text, dockerfileName),
      dockerignore,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The Dockerfile and .dockerignore always reach the daemon (the client sends them even when
 * ignored); once read, those the .dockerignore excludes leave the context, as dockerd does.
 */
async function removeIgnoredBuildFiles(
  dir: string,
  patterns: string[],
  paths: string[],
): Promise<void> {
  if (patterns.length === 0) return;
  const matcher = createIgnoreMatcher(patterns);
  for (const path of paths) {
    if (matcher.matches(path.slice(1))) await rm(join(dir, path), { force: true });
  }
}

/** A Git remote cloned (git must be installed), its Dockerfile read from the clone. */
async function gitContext(
  url: string,
  dir: string,
  options: { dockerfile?: string | undefined; signal: AbortSignal },
  close: () => Promise<void>,
): Promise<BuildContext> {
  if (!(await findInPath('git'))) {
    throw invalidArgument(
      `unable to prepare context: unable to find 'git': exec: "git": executable file not found in $PATH`,
    );
  }
  let root: string;
  try {
    root = await cloneGitContext(url, join(dir, 'git'), options.signal);
  } catch (err) {
    throw invalidArgument(
      `unable to prepare context: unable to 'git clone' to temporary context directory: ${errorMessage(err)}`,
      err,
    );
  }
  const name = options.dockerfile ?? 'Dockerfile';
  const text = await readDockerfile(join(root, posix.normalize(`/${name}`)), name);
  return {
    dir: root,
    dockerfileName: name,
    dockerfileText: checkText(text, name),
    dockerignore: [],
    close,
  };
}

async function findInPath(name: string): Promise<boolean> {
  for (const dir of (process.env['PATH'] ?? '').split(':').filter((d) => d !== '')) {
    if (await isFile(join(dir, name))) return true;
  }
  return false;
}

function checkText(text: string, name: string): string {
  if (text.trim() === '') throw invalidArgument(`the Dockerfile (${name}) cannot be empty`);
  return text;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}

async function readDockerfile(path: string, name: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) {
      throw notFound(`Cannot locate specified Dockerfile: ${name}`);
    }
    if (hasErrno(err, 'EISDIR')) {
      throw invalidArgument(`Cannot locate specified Dockerfile: ${name}: it is a directory`);
    }
    throw err;
  }
}

/** The first bytes of a stream, and the whole stream again. */
async function peek(
  body: AsyncIterable<Buffer>,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = body[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < 1024 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      held.push(next.value);
      length += next.value.length;
    }
  }
  const head = Buffer.concat(held);
  async function* rest() {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: rest() };
}

/** A compressed stream, or data whose first block is a valid tar header. */
async function looksLikeTar(head: Buffer): Promise<boolean> {
  if (head.length === 0) return false;
  if (detectCompression(head) !== 'none') return true;
  return readsAsTar(Readable.from([head]));
}

/** dockerd's test for a Git remote: git:// and git@ URLs, `.git` paths, github.com/... */
function isGitUrl(url: string): boolean {
  return (
    /^git(@|:\/\/)/.test(url) ||
    /^github\.com\//.test(url) ||
    (/^https?:\/\//.test(url) && /\.git(#.*)?$/.test(url))
  );
}

async function fetchRemote(url: string, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
  if (!/^https?:\/\//.test(url)) {
    throw invalidArgument(`unable to prepare context: unsupported remote context: ${url}`);
  }
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    throw unavailable(`unable to prepare context: ${(err as Error).message}: ${url}`, err);
  }
  if (!res.ok || !res.body) {
    throw unavailable(
      `unable to prepare context: failed to GET ${url} with status ${res.status} ${res.statusText}`,
    );
  }
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}
