/**
 * Pull-style access to a stream of chunks: hands out bytes as subarrays of the source chunks
 * (copying only when a requested range spans chunks), so bodies flow through without copies.
 */
export interface ChunkReader {
  /** The next bytes, at most `max` (> 0), as a subarray of one source chunk; null at the end. */
  next(max: number): Promise<Buffer | null>;
  /** Exactly `n` bytes, or fewer only when the data ends first. */
  read(n: number): Promise<Buffer>;
  /** Releases the source (calls its iterator's `return`). */
  close(): Promise<void>;
}

export function createChunkReader(
  source: AsyncIterable<Buffer>,
  signal?: AbortSignal,
): ChunkReader {
  const iterator = source[Symbol.asyncIterator]();
  let current: Buffer = Buffer.alloc(0);
  let ended = false;

  async function fill(): Promise<boolean> {
    while (current.length === 0) {
      if (ended) return false;
      signal?.throwIfAborted();
      const result = await iterator.next();
      if (result.done) {
        ended = true;
        return false;
      }
      current = result.value;
    }
    return true;
  }

  async function next(max: number): Promise<Buffer | null> {
    if (!(await fill())) return null;
    const chunk = current.length <= max ? current : current.subarray(0, max);
    current = current.subarray(chunk.length);
    return chunk;
  }

  async function read(n: number): Promise<Buffer> {
    const first = await next(n);
    if (first === null || first.length === n) return first ?? Buffer.alloc(0);
    const parts = [first];
    let length = first.length;
    while (length < n) {
      const chunk = await next(n - length);
      if (chunk === null) break;
      parts.push(chunk);
      length += chunk.length;
    }
    return Buffer.concat(parts, length);
  }

  async function close(): Promise<void> {
    if (ended) return;
    ended = true;
    await iterator.return?.();
  }

  return { next, read, close };
}
