import { Readable } from 'node:stream';

import { internal, invalidArgument } from '../core/index.js';
import { BLOCK_SIZE, paddingOf } from './tar-fields.js';
import { completeHeader, encodeHeader, type TarHeaderInput } from './tar-header.js';

export interface TarWriter {
  /** The tar bytes (ustar, with PAX extended headers where ustar cannot hold a field). */
  readonly readable: Readable;
  /**
   * Appends an entry; resolves once its bytes are queued on `readable`, waiting while the
   * consumer is behind (backpressure). Only files have a body. For a streamed body
   * `header.size` is required and must match; for a buffer it defaults to the buffer's length.
   * Calls must not overlap. Rejects when `readable` was destroyed.
   */
  add(header: TarHeaderInput, body?: Buffer | AsyncIterable<Buffer>): Promise<void>;
  /** Writes the two end-of-archive blocks and ends `readable`. */
  finish(): Promise<void>;
}

const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK_SIZE);

/** A streaming tar writer; pipe `readable` somewhere with pipeline() while adding entries. */
export function createTarWriter(): TarWriter {
  let waiting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  let closedError: Error | undefined;
  let busy = false;
  let finished = false;

  const readable = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      const wake = waiting;
      waiting = undefined;
      wake?.resolve();
    },
    destroy(err, callback) {
      closedError = err ?? internal('tar writer: the output stream was closed');
      const wake = waiting;
      waiting = undefined;
      wake?.reject(closedError);
      callback(err);
    },
  });

  async function push(chunk: Buffer): Promise<void> {
    if (closedError) throw closedError;
    if (chunk.length === 0 || readable.push(chunk)) return;
    await new Promise<void>((resolve, reject) => (waiting = { resolve, reject }));
  }

  async function pushBody(body: AsyncIterable<Buffer>, size: number, name: string) {
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > size) throw invalidArgument(`tar entry ${name}: body longer than ${size}`);
      await push(chunk);
    }
    if (written < size) {
      throw invalidArgument(`tar entry ${name}: body of ${written} bytes, expected ${size}`);
    }
  }

  async function add(input: TarHeaderInput, body?: Buffer | AsyncIterable<Buffer>) {
    if (finished) throw internal('tar writer: add() after finish()');
    if (busy) throw internal('tar writer: add() called before the previous add() finished');
    const size = bodySize(input, body);
    const header = encodeHeader(completeHeader(input, size));
    busy = true;
    try {
      await push(header);
      if (Buffer.isBuffer(body)) await push(body);
      else if (body !== undefined) await pushBody(body, size, JSON.stringify(input.name));
      await push(Buffer.alloc(paddingOf(size)));
    } catch (err) {
      // A partial entry makes the archive unusable: fail the stream, not just this call.
      if (!closedError) readable.destroy(err instanceof Error ? err : internal(String(err)));
      throw err;
    } finally {
      busy = false;
    }
  }

  async function finish(): Promise<void> {
    if (busy) throw internal('tar writer: finish() called before add() finished');
    if (finished) return;
    finished = true;
    await push(END_OF_ARCHIVE);
    readable.push(null);
  }

  return { readable, add, finish };
}

function bodySize(input: TarHeaderInput, body: Buffer | AsyncIterable<Buffer> | undefined) {
  const name = JSON.stringify(input.name);
  if (input.type !== 'file') {
    if (body !== undefined) throw invalidArgument(`tar entry ${name}: only files have a body`);
    return 0;
  }
  if (Buffer.isBuffer(body)) {
    if (input.size !== undefined && input.size !== body.length) {
      throw invalidArgument(`tar entry ${name}: size ${input.size} but body of ${body.length}`);
    }
    return body.length;
  }
  if (body === undefined) {
    if (input.size !== undefined && input.size !== 0) {
      throw invalidArgument(`tar entry ${name}: size ${input.size} but no body`);
    }
    return 0;
  }
  if (input.size === undefined) {
    throw invalidArgument(`tar entry ${name}: a streamed body needs header.size`);
  }
  return input.size;
}
