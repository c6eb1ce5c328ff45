/**
 * Docker's multiplexed stream (moby's stdcopy), used by attach, exec and logs when the container
 * has no TTY: frames of an 8-byte header — stream byte (0 stdin, 1 stdout, 2 stderr, 3 a daemon
 * error), three zero bytes, the payload length as a big-endian uint32 — then the payload.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export const STREAM_STDIN = 0;
export const STREAM_STDOUT = 1;
export const STREAM_STDERR = 2;
/** A daemon error in the middle of a stream (moby's Systemerr). */
export const STREAM_SYSTEMERR = 3;

const HEADER_SIZE = 8;

export interface Frame {
  stream: number;
  payload: Buffer;
}

export interface FrameParser {
  /** Adds bytes; returns the frames they complete, in order. */
  push(chunk: Buffer): Frame[];
  /** Bytes held back: a header or payload not yet complete. */
  pending(): number;
}

/** An incremental parser of the frame format. */
export function createFrameParser(): FrameParser {
  let buffered: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const frames: Frame[] = [];
      let offset = 0;
      while (buffered.length - offset >= HEADER_SIZE) {
        const size = buffered.readUInt32BE(offset + 4);
        if (buffered.length - offset - HEADER_SIZE < size) break;
        const start = offset + HEADER_SIZE;
        frames.push({
          stream: buffered[offset] as number,
          payload: buffered.subarray(start, start + size),
        });
        offset = start + size;
      }
      buffered = buffered.subarray(offset);
      return frames;
    },
    pending: () => buffered.length,
  };
}

/** One frame, as the daemon writes it. */
export function encodeFrame(stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function write(target: Writable, payload: Buffer): Promise<void> {
  if (payload.length === 0 || target.write(payload)) return;
  await once(target, 'drain');
}

/**
 * moby's stdcopy.StdCopy: copies the frames of `source` to `stdout` (stdin and stdout frames)
 * and `stderr`, waiting when a writer is behind. A frame for a writer not given is dropped. A
 * stream that ends inside a frame ends the copy quietly, as docker's does. Throws on a daemon
 * error frame (`error from daemon in stream: ...`) and on an unknown stream byte. Resolves to
 * the payload bytes written.
 */
export async function stdCopy(
  source: AsyncIterable<Buffer>,
  stdout: Writable | undefined,
  stderr: Writable | undefined,
): Promise<number> {
  const parser = createFrameParser();
  let written = 0;
  for await (const chunk of source) {
    for (const frame of parser.push(chunk)) {
      let target: Writable | undefined;
      switch (frame.stream) {
        case STREAM_STDIN:
        case STREAM_STDOUT:
          target = stdout;
          break;
        case STREAM_STDERR:
          target = stderr;
          break;
        case STREAM_SYSTEMERR:
          throw new Error(`error from daemon in stream: ${frame.payload.toString('utf8')}`);
        default:
          throw new Error(`Unrecognized input header: ${frame.stream}`);
      }
      if (target === undefined) continue;
      await write(target, frame.payload);
      written += frame.payload.length;
    }
  }
  return written;
}
