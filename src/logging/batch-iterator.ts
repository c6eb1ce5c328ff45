/**
 * An async iterator that can also hand over, without waiting, the items it already holds.
 * A consumer that handles many small items (`docker logs` of 200,000 lines) takes them a batch
 * at a time instead of paying an await per item.
 */
export interface BufferedIterator<T> extends AsyncIterableIterator<T> {
  /** Removes and returns the items read but not yet returned by `next()` (possibly none). */
  takeBuffered(): T[];
}

/** True for an iterator made by `flattenBatches` (or any other BufferedIterator). */
export function isBufferedIterator<T>(iterator: AsyncIterator<T>): iterator is BufferedIterator<T> {
  return typeof (iterator as Partial<BufferedIterator<T>>).takeBuffered === 'function';
}

/**
 * The items of an async source of batches, one at a time. An async generator pays a step per
 * yielded item; here the items of a batch come from resolved promises (or all at once through
 * `takeBuffered`), and the source is only stepped once per batch. `return()` (a consumer
 * leaving a for-await early) ends the source, so its cleanup runs.
 */
export function flattenBatches<T>(batches: AsyncGenerator<T[]>): BufferedIterator<T> {
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

  const iterator: BufferedIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next() {
      if (index < batch.length) return Promise.resolve({ value: batch[index++] as T, done: false });
      return pull();
    },
    takeBuffered() {
      const rest = index === 0 ? batch : batch.slice(index);
      batch = [];
      index = 0;
      return rest;
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
