/** How `forEachBounded` runs. */
export interface BoundedOptions<Item> {
  /** Most tasks in flight at once. */
  readonly concurrency: number;
  /** Once aborted, no new task starts; those in flight finish. */
  readonly signal?: AbortSignal;
  /** Hears of each task that threw; the others go on. */
  readonly onError?: (error: unknown, item: Item) => void;
}

/** Runs `task` over the items in order with at most `concurrency` in flight; resolves when all have settled. */
export async function forEachBounded<Item>(
  items: readonly Item[],
  { concurrency, signal, onError = () => {} }: BoundedOptions<Item>,
  task: (item: Item, index: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      const item = items[index] as Item;
      try {
        await task(item, index);
      } catch (error) {
        onError(error, item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
