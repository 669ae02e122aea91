/**
 * Runs one connection's frame handlers in order. A handler that hangs (Redis went away mid-command) is given up
 * after `timeoutMs` so that the frames after it still count. One watchdog timer per connection, re-armed as each
 * frame starts: no timer or promise per frame, which at thousands of frames a second is most of the garbage.
 */
export class FrameQueue {
  readonly #pending: (() => Promise<void>)[] = [];
  #generation = 0;
  #running = false;
  #startedAt = 0;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs `work` after every frame queued before it. */
  push(work: () => Promise<void>): void {
    this.#pending.push(work);
    if (!this.#running) void this.#drain(this.#generation);
  }

  /** Stops the watchdog; frames still queued run, unwatched. */
  stop(): void {
    clearTimeout(this.#watchdog);
  }

  async #drain(generation: number): Promise<void> {
    this.#running = true;
    for (let work = this.#pending.shift(); work; work = this.#pending.shift()) {
      this.#startedAt = Date.now();
      this.#arm();
      try {
        await work();
      } catch (error) {
        this.onError(error);
      }
      // Given up on while it hung: a newer drain has taken over the frames after it.
      if (generation !== this.#generation) return;
      this.#startedAt = 0;
    }
    this.#running = false;
  }

  #arm(): void {
    if (this.#watchdog) this.#watchdog.refresh();
    else this.#watchdog = setTimeout(() => this.#check(), this.timeoutMs).unref();
  }

  #check(): void {
    if (this.#startedAt === 0) return;
    if (Date.now() - this.#startedAt < this.timeoutMs) {
      this.#watchdog?.refresh();
      return;
    }
    this.onError(new Error(`handling a frame took more than ${this.timeoutMs} ms`));
    this.#generation++;
    this.#startedAt = 0;
    this.#running = false;
    if (this.#pending.length > 0) void this.#drain(this.#generation);
  }
}
