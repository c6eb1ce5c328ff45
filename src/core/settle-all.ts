/**
 * Waits for every promise to settle, then throws the first failure, if any: no work is left
 * running behind an error.
 */
export async function settleAll(promises: Iterable<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failed) throw failed.reason;
}
