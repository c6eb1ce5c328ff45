/**
 * Build contexts that come as a stream (`moor build -` or an http(s) URL), as the docker CLI
 * reads them (build.GetContextFromReader): an archive (tar, or compressed) is sent as it is;
 * anything else is a Dockerfile, sent as a tar holding `Dockerfile`. And the Dockerfile that
 * goes beside a context under a random name (`-f -`, `-f` outside the context).
 */
import { randomBytes } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';

import {
  BLOCK_SIZE,
  createTarWriter,
  decodeHeaderBlock,
  decompressed,
  detectCompression,
  isZeroBlock,
  readTar,
} from '../archive/index.js';
import { errorMessage, isMoorError } from '../core/index.js';
import { DEFAULT_DOCKERFILE, type ExtraDockerfile } from './build-context.js';
import { withProgress } from './build-progress.js';

/** `.dockerfile.` and 20 random hex digits, as docker names a Dockerfile it adds. */
export function randomDockerfileName(): string {
  return `.dockerfile.${randomBytes(10).toString('hex')}`;
}

/** docker's IsArchive: compressed data, or a first tar header with a valid checksum. */
export function isArchive(head: Buffer): boolean {
  if (detectCompression(head) !== 'none') return true;
  if (head.length < BLOCK_SIZE) return false;
  const block = head.subarray(0, BLOCK_SIZE);
  if (isZeroBlock(block)) return false;
  try {
    decodeHeaderBlock(block);
    return true;
  } catch (err) {
    if (isMoorError(err, 'InvalidArgument')) return false;
    throw err;
  }
}

/** What docker peeks at to tell an archive from a Dockerfile. */
const PEEK_SIZE = 2 * BLOCK_SIZE;

/** The first bytes of `source` (up to PEEK_SIZE) and the whole stream again, head included. */
export async function peek(
  source: AsyncIterable<Buffer>,
): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < PEEK_SIZE) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  async function* stream(): AsyncGenerator<Buffer> {
    yield* chunks;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  return { head: Buffer.concat(chunks, length).subarray(0, PEEK_SIZE), stream: stream() };
}

async function readAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A tar of one `Dockerfile`, as docker makes it from a temp file (its owner, its mode). */
export async function dockerfileArchive(content: Buffer): Promise<Buffer> {
  const tar = createTarWriter();
  const data = readAll(tar.readable);
  await tar.add(
    {
      name: DEFAULT_DOCKERFILE,
      type: 'file',
      // os.Create's 0666 less the umask (reading the mask means setting it).
      mode: 0o666 & ~currentUmask(),
      uid: process.geteuid?.() ?? 0,
      gid: process.getegid?.() ?? 0,
      mtime: new Date(Math.floor(Date.now() / 1000) * 1000),
    },
    content,
  );
  await tar.finish();
  return data;
}

function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

export interface StreamContext {
  body: AsyncIterable<Buffer>;
  /** The `dockerfile` to ask for: `-f` as given for an archive, `Dockerfile` for a wrapped one. */
  relDockerfile: string;
}

/**
 * docker's GetContextFromReader: an archive passes through; otherwise the input is a
 * Dockerfile, refused when `-f` names one too.
 */
export async function contextFromStream(
  source: AsyncIterable<Buffer>,
  dockerfile: string,
): Promise<StreamContext> {
  const { head, stream } = await peek(source);
  if (isArchive(head)) return { body: stream, relDockerfile: dockerfile };
  if (dockerfile === '-') throw new Error('build context is not an archive');
  if (dockerfile !== '') {
    throw new Error('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  }
  const archive = await dockerfileArchive(await readAll(stream));
  return { body: Readable.from([archive]), relDockerfile: DEFAULT_DOCKERFILE };
}

/**
 * An archive context with `extra` added (docker's AddDockerfileToBuildContext over
 * ReplaceFileTarWrapper): its Dockerfile appended, its name added to `.dockerignore`.
 */
export function addDockerfileToArchive(
  source: AsyncIterable<Buffer>,
  extra: ExtraDockerfile,
): Readable {
  const tar = createTarWriter();
  const write = async () => {
    let sawIgnoreFile = false;
    for await (const entry of readTar(decompressed(source))) {
      const { header } = entry;
      if (header.name === '.dockerignore') {
        sawIgnoreFile = true;
        const body = Buffer.concat([await entry.buffer(), Buffer.from(`\n${extra.name}\n`)]);
        await tar.add({ ...header, size: body.length }, body);
      } else if (header.type === 'file') {
        await tar.add(header, entry.body());
      } else {
        await tar.add(header);
      }
    }
    const now = new Date(Math.round(Date.now() / 1000) * 1000);
    const file = { type: 'file', mode: 0o600, mtime: now } as const;
    if (!sawIgnoreFile) {
      const body = Buffer.from(`.dockerignore\n${extra.name}\n`);
      await tar.add({ ...file, name: '.dockerignore' }, body);
    }
    await tar.add({ ...file, name: extra.name }, extra.content);
    await tar.finish();
  };
  write().catch((err: unknown) => {
    tar.readable.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return tar.readable;
}

/** Whether a context argument is a git repository docker would clone (urlutil.IsGitURL). */
export function isGitUrl(text: string): boolean {
  if (isHttpUrl(text) && /\.git(?:#.+)?$/.test(text)) return true;
  return ['git://', 'github.com/', 'git@'].some((prefix) => text.startsWith(prefix));
}

/** urlutil.IsURL: an http or https URL. */
export function isHttpUrl(text: string): boolean {
  return text.startsWith('https://') || text.startsWith('http://');
}

/** Go's words for a failed GET: `Get "URL": dial tcp ADDRESS: connect: connection refused`. */
function fetchErrorText(url: string, err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const { code, address, port, hostname } = cause as {
    code?: string;
    address?: string;
    port?: number;
    hostname?: string;
  };
  let text = errorMessage(cause);
  if (code === 'ECONNREFUSED' && address !== undefined) {
    const host = address.includes(':') ? `[${address}]` : address;
    text = `dial tcp ${host}:${port ?? ''}: connect: connection refused`;
  } else if (code === 'ENOTFOUND' && hostname !== undefined) {
    text = `dial tcp: lookup ${hostname}: no such host`;
  }
  return `Get "${url}": ${text}`;
}

async function* bodyChunks(body: AsyncIterable<Uint8Array> | null): AsyncGenerator<Buffer> {
  if (body === null) return;
  for await (const chunk of body) yield Buffer.from(chunk);
}

/**
 * docker's GetContextFromURL: GET `url` (an answer of 400 or more is an error with its body),
 * its bytes counted on `out` (`Downloading build context from remote url: URL`) as they are
 * read, then read as an archive or a Dockerfile.
 */
export async function contextFromUrl(
  url: string,
  dockerfile: string,
  progress: { out: Writable; width?: number },
): Promise<StreamContext> {
  const failed = (text: string) => new Error(`unable to download remote context ${url}: ${text}`);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw failed(fetchErrorText(url, err));
  }
  if (res.status >= 400) {
    const text = (await res.text()).trim();
    throw failed(`failed to GET ${url} with status ${res.status} ${res.statusText}: ${text}`);
  }
  const length = res.headers.get('content-length');
  const body = withProgress(bodyChunks(res.body as AsyncIterable<Uint8Array> | null), {
    out: progress.out,
    action: `Downloading build context from remote url: ${url}`,
    size: length === null ? -1 : Number(length),
    lastOnly: false,
    width: progress.width,
  });
  return contextFromStream(body, dockerfile);
}
