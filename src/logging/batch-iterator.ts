/**
 * The items of an async source of batches, one at a time. An async generator pays a step per
 * yielded item; here the items of a batch come from resolved promises, and the source is only
 * stepped once per batch. `return()` (a consumer leaving a for-await early) ends the source,
 * so its cleanup runs.
 */
export function flattenBatches<T>(batches: AsyncGenerator<T[]>): AsyncIterableIterator<T> {
  let batch: T[] = [];
  let index = 0;
  let finished = false;

  async function pull(): Promise<IteratorResult<T>> {
    while (!finished) {
      const next = await batches.next();
      if (next.done === true) break;
      if (next.value.length > 0) {
        batch = next.value;
        index = 1;
        return { value: batch[0] as T, done: false };
      }
    }
    finished = true;
    return { value: undefined, done: true };
  }

  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next() {
      if (index < batch.length) return Promise.resolve({ value: batch[index++] as T, done: false });
      return pull();
    },
    async return() {
      finished = true;
      batch = [];
      await batches.return(undefined);
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
