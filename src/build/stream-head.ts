/**
 * The first `size` bytes of a stream (fewer when it ends sooner; possibly a little more, in
 * whole chunks), and the whole stream again, those bytes included.
 */
export async function readHead(
  source: AsyncIterable<Buffer>,
  size: number,
): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < size && !ended) {
    const next = await iterator.next();
    if (next.done === true) ended = true;
    else {
      held.push(next.value);
      length += next.value.length;
    }
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* held;
    while (!ended) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { head: Buffer.concat(held, length), stream: again() };
}
