/** A change to one rollout, applied inside a locked unit of work. */
export interface BatchItem<W> {
  readonly change: (work: W) => Promise<void>;
  /** Runs after the dispatcher, before the commit: throwing there cancels the whole unit of work. */
  readonly verify?: (work: W) => void;
  /** An operator action is applied alone, so that its error (a 409, say) cannot undo anyone else's change. */
  readonly exclusive: boolean;
  /** Whether the dispatcher runs after it: false for changes that move no server's state (an ACK, progress). */
  readonly dispatches: boolean;
  /** Servers whose runs and inventory records the change will read: read ahead for the whole batch at once. */
  readonly servers?: readonly string[];
}

interface Pending<W> extends BatchItem<W> {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The most changes one unit of work takes, so that one batch cannot hold the rollout lock for long. */
export const MAX_BATCH = 256;

/**
 * Serializes this instance's changes to each rollout and applies those that queued up meanwhile in one
 * locked unit of work: one lock, one read of the rollout, one dispatcher pass and one commit for many agent
 * messages, instead of one each. Changes to one rollout apply in the order they were submitted.
 */
export class RolloutBatcher<W> {
  readonly #queues = new Map<string, Pending<W>[]>();
  readonly #draining = new Set<Promise<void>>();

  constructor(private readonly runBatch: (id: string, items: readonly BatchItem<W>[]) => Promise<void>) {}

  /** Applies `item` to rollout `id` with whatever else is waiting for it; resolves once it is committed. */
  submit(id: string, item: BatchItem<W>): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(id);
      if (queue) {
        queue.push({ ...item, resolve, reject });
        return;
      }
      this.#queues.set(id, [{ ...item, resolve, reject }]);
      const draining = this.#drain(id).finally(() => this.#draining.delete(draining));
      this.#draining.add(draining);
    });
  }

  /** Resolves once every change submitted so far (and any submitted meanwhile) is committed or has failed. */
  async idle(): Promise<void> {
    while (this.#draining.size > 0) await Promise.allSettled([...this.#draining]);
  }

  async #drain(id: string): Promise<void> {
    const queue = this.#queues.get(id) ?? [];
    while (queue.length > 0) {
      const batch = takeBatch(queue);
      try {
        await this.runBatch(id, batch);
        for (const item of batch) item.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0]?.reject(error);
        // One bad change must not take the others down with it: each goes again on its own.
        else for (const item of batch) await this.#runAlone(id, item);
      }
    }
    this.#queues.delete(id);
  }

  async #runAlone(id: string, item: Pending<W>): Promise<void> {
    try {
      await this.runBatch(id, [item]);
      item.resolve();
    } catch (error) {
      item.reject(error);
    }
  }
}

// An exclusive item goes alone; otherwise every shared item up to the next exclusive one, at most MAX_BATCH.
function takeBatch<W>(queue: Pending<W>[]): Pending<W>[] {
  if (queue[0]?.exclusive) return queue.splice(0, 1);
  const end = queue.findIndex((item) => item.exclusive);
  return queue.splice(0, Math.min(end === -1 ? queue.length : end, MAX_BATCH));
}
