import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { hasErrno, invalidArgument, unavailable } from '../core/index.js';

/** The host tools that decompress what Node's zlib cannot, with the package shipping each. */
const TOOLS = {
  bzip2: { file: 'bzip2', args: ['-d', '-c', '-q'], packageName: 'bzip2' },
  xz: { file: 'xz', args: ['-d', '-c', '-q'], packageName: 'xz-utils' },
  zstd: { file: 'zstd', args: ['-d', '-c', '-q'], packageName: 'zstd' },
} as const;

export type HostCompression = keyof typeof TOOLS;

/**
 * The decompressed bytes of a bzip2, xz or zstd stream, through the host's tool (Docker runs
 * `xz -d -c -q` the same way). A missing tool is Unavailable; data the tool refuses is
 * InvalidArgument with the tool's message. Ending the iteration early stops the tool.
 */
export async function* decompressWithHostTool(
  format: HostCompression,
  source: AsyncIterable<Buffer>,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const tool = TOOLS[format];
  const child = spawn(tool.file, tool.args, { stdio: ['pipe', 'pipe', 'pipe'], signal });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // Settles once, never rejects: a failure to start is reported after the output ends.
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  let sourceError: Error | undefined;
  const input = async function* () {
    try {
      yield* source;
    } catch (err) {
      sourceError = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  };
  // The tool may exit before taking all input (corrupt data): its status tells the story, so
  // errors of the pipe itself are not reported.
  const feeding = pipeline(Readable.from(input()), child.stdin).catch(() => undefined);
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
    const [{ code, error }] = await Promise.all([exited, feeding]);
    if (error !== undefined) {
      if (hasErrno(error, 'ENOENT')) {
        throw unavailable(
          `${tool.file} not found (install the ${tool.packageName} package)`,
          error,
        );
      }
      throw error;
    }
    if (sourceError !== undefined) throw sourceError;
    if (code !== 0) {
      const message = Buffer.concat(stderr).toString('utf8').trim();
      throw invalidArgument(message || `${tool.file}: exit status ${code ?? '?'}`);
    }
    finished = true;
  } finally {
    if (!finished && child.exitCode === null) child.kill();
  }
}
