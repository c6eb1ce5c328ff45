import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { gzipStream } from '../../archive/index.js';
import { ApiError } from '../../client/index.js';
import { errorMessage, hasErrno } from '../../core/index.js';
import {
  ContextError,
  contextTar,
  isOutsideContext,
  keepBuildFiles,
  listContext,
  readDockerignore,
  resolveLocalContext,
} from '../build-context.js';
import {
  addDockerfileToArchive,
  contextFromStream,
  contextFromUrl,
  isGitUrl,
  isHttpUrl,
  randomDockerfileName,
} from '../build-input.js';
import { type BuildOptions, BUILD_FLAGS, buildQuery, readBuildOptions } from '../build-options.js';
import { SENDING_CONTEXT, withProgress } from '../build-progress.js';
import { checkArgs, parseOrHelp } from '../command-flags.js';
import { type CliContext, type Command, isTerminal } from '../context.js';
import { JsonMessageError, displayJsonMessages } from '../json-stream.js';
import { goPathError } from '../local-files.js';

/** What goes to the daemon: the body (none for a remote context) and the query's names. */
interface PreparedContext {
  body?: AsyncIterable<Buffer>;
  /** The Dockerfile in the context ('' for the daemon's default). */
  dockerfile: string;
  /** A git repository the daemon clones ('' for an uploaded context). */
  remote: string;
}

/** A Writable that keeps what it is given (docker's bytes.Buffer for `-q`). */
class TextBuffer extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

async function readStream(source: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The Dockerfile read from stdin or from outside the context, to go in under a new name. */
async function readDockerfile(ctx: CliContext, options: BuildOptions): Promise<Buffer> {
  if (options.dockerfile === '-') return readStream(ctx.stdin);
  try {
    return await readFile(options.dockerfile);
  } catch (err) {
    throw new Error(`unable to open Dockerfile: ${errorMessage(goPathError(err))}`, {
      cause: err,
    });
  }
}

/** A local directory: the tar of what `.dockerignore` leaves, plus a Dockerfile from elsewhere. */
async function localContext(
  ctx: CliContext,
  options: BuildOptions,
  dir: string,
): Promise<PreparedContext> {
  const local = await resolveLocalContext(dir, options.dockerfile, process.cwd());
  const fromStdin = options.dockerfile === '-';
  const outside = !fromStdin && isOutsideContext(local.relDockerfile);
  // docker opens a Dockerfile outside the context before it reads .dockerignore.
  const outsideContent = outside ? await readDockerfile(ctx, options) : undefined;
  const ignored = await readDockerignore(local.dir);
  let entries;
  try {
    entries = await listContext(local.dir, keepBuildFiles(ignored, local.relDockerfile, fromStdin));
  } catch (err) {
    throw new Error(`error checking context: ${errorMessage(err)}`, { cause: err });
  }
  const content = fromStdin ? await readDockerfile(ctx, options) : outsideContent;
  if (content === undefined) {
    return { body: contextTar(entries), dockerfile: local.relDockerfile, remote: '' };
  }
  const name = randomDockerfileName();
  return { body: contextTar(entries, { name, content }), dockerfile: name, remote: '' };
}

/** Runs a step of getting the context; its failure reads `unable to prepare context: …`. */
async function preparing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ContextError) throw err;
    throw new ContextError(errorMessage(err), { cause: err });
  }
}

/** A context that comes as a stream: stdin or an http(s) URL. */
async function streamedContext(
  ctx: CliContext,
  options: BuildOptions,
  given: string,
  progress: Writable,
): Promise<PreparedContext> {
  let stream;
  if (given === '-') {
    const stdin = ctx.stdin as AsyncIterable<Buffer>;
    stream = await preparing(() => contextFromStream(stdin, options.dockerfile));
  } else {
    const width = isTerminal(ctx.stdin) ? (ctx.stdout as { columns?: number }).columns : 200;
    try {
      stream = await preparing(() =>
        contextFromUrl(given, options.dockerfile, { out: progress, width }),
      );
    } catch (err) {
      // docker shows what the download printed, which -q kept back.
      if (progress instanceof TextBuffer) ctx.stderr.write(`${progress.text}\n`);
      throw err;
    }
  }
  if (options.dockerfile !== '-') {
    return { body: stream.body, dockerfile: stream.relDockerfile, remote: '' };
  }
  const name = randomDockerfileName();
  const content = await readDockerfile(ctx, options);
  return {
    body: addDockerfileToArchive(stream.body, { name, content }),
    dockerfile: name,
    remote: '',
  };
}

/** The context the argument names: stdin, a directory, a git repository or an http(s) URL. */
async function prepareContext(
  ctx: CliContext,
  options: BuildOptions,
  given: string,
  progress: Writable,
): Promise<PreparedContext> {
  if (given === '-') return streamedContext(ctx, options, given, progress);
  if (await isLocalPath(given)) return localContext(ctx, options, given);
  if (isGitUrl(given)) {
    // The daemon clones the repository (the CLI runs no git of its own), so a Dockerfile
    // from stdin has no context to go into.
    if (options.dockerfile === '-') {
      throw new ContextError('a Dockerfile from stdin cannot be used with a git repository');
    }
    return { dockerfile: options.dockerfile, remote: given };
  }
  if (isHttpUrl(given)) return streamedContext(ctx, options, given, progress);
  throw new ContextError(`path ${JSON.stringify(given)} not found`);
}

function isLocalPath(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** docker's removal of a stale `--iidfile` before the build. */
async function removeIidFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) {
      throw new Error(`Removing image ID file: ${errorMessage(goPathError(err))}`, { cause: err });
    }
  }
}

/** The body as it goes up: gzipped with `--compress`, its bytes counted on `progress`. */
function uploadBody(
  ctx: CliContext,
  prepared: PreparedContext,
  options: BuildOptions,
  progress: Writable,
): AsyncIterable<Buffer> | undefined {
  if (prepared.body === undefined) return undefined;
  const body = options.compress ? gzipped(prepared.body) : prepared.body;
  const lastOnly = !isTerminal(ctx.stdout);
  return withProgress(body, { out: progress, action: SENDING_CONTEXT, size: 0, lastOnly });
}

/**
 * Shows the daemon's answer; resolves with the image ID (with `-q`, the daemon's quiet output
 * as docker takes it, newline included) or the exit code of a failed build.
 */
async function showBuild(
  ctx: CliContext,
  answer: AsyncIterable<Buffer>,
  options: BuildOptions,
  progress: Writable,
): Promise<{ imageId: string } | { code: number }> {
  const output = options.quiet ? new TextBuffer() : ctx.stdout;
  let imageId = '';
  try {
    await displayJsonMessages(answer, {
      out: output,
      onAux: (aux) => {
        if (typeof aux['ID'] === 'string') imageId = aux['ID'];
      },
    });
  } catch (err) {
    if (!(err instanceof JsonMessageError)) throw err;
    // -q kept the progress and the build's output back: a failure shows them.
    if (options.quiet) ctx.stderr.write(textOf(progress) + textOf(output));
    ctx.stderr.write(`${err.message}\n`);
    return { code: err.code || 1 };
  }
  if (output instanceof TextBuffer) {
    imageId = output.text;
    ctx.stdout.write(imageId);
  }
  return { imageId };
}

async function writeIidFile(path: string, imageId: string): Promise<void> {
  if (imageId === '') throw new Error(`Server did not provide an image ID. Cannot write ${path}`);
  try {
    await writeFile(path, imageId, { mode: 0o666 });
  } catch (err) {
    throw goPathError(err);
  }
}

/**
 * docker build with the classic builder: the context prepared and uploaded (progress on
 * stdout), the daemon's JSON message stream displayed; `-q` prints only the image ID, and the
 * progress and output when the build fails. A failed step exits with the daemon's code.
 */
async function runBuild(ctx: CliContext, command: Command, argv: string[]): Promise<number> {
  const flags = parseOrHelp(ctx, command, BUILD_FLAGS, argv);
  if (!flags) return 0;
  checkArgs(command, flags.args, 1, 1);
  const options = readBuildOptions(flags, process.env);
  const given = flags.args[0] ?? '';
  if (options.dockerfile === '-' && given === '-') {
    throw new Error("invalid argument: can't use stdin for both build context and dockerfile");
  }
  const progress = options.quiet ? new TextBuffer() : ctx.stdout;
  if (options.iidfile !== '') await removeIidFile(options.iidfile);
  const prepared = await prepareContext(ctx, options, given, progress);
  let answer;
  try {
    answer = await ctx.client().stream('POST', '/build', {
      query: buildQuery(options, prepared.dockerfile, prepared.remote),
      upload: uploadBody(ctx, prepared, options, progress),
      // base64url of the registry credentials docker sends: none (`{}`).
      headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': 'e30=' },
    });
  } catch (err) {
    if (err instanceof ApiError) ctx.stderr.write(textOf(progress));
    throw err;
  }
  const result = await showBuild(ctx, answer, options, progress);
  if ('code' in result) return result.code;
  if (options.iidfile !== '') await writeIidFile(options.iidfile, result.imageId);
  return 0;
}

function textOf(out: Writable): string {
  return out instanceof TextBuffer ? out.text : '';
}

/** The context gzipped (`--compress`). */
function gzipped(source: AsyncIterable<Buffer>): Readable {
  const gzip = gzipStream();
  pipeline(source, gzip).catch((err: unknown) => {
    gzip.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return gzip;
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build an image from a Dockerfile',
  usage: 'moor build [OPTIONS] PATH | URL | -',
  run(ctx, argv) {
    return runBuild(ctx, this, argv);
  },
};
