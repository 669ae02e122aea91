import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** The most sending time an idle link may bank, so that a burst after a pause stays short. */
const MAX_BURST_MS = 20;

/**
 * One instance's sending budget, shared by every package download it serves: `bytesPerSecond` in all, paced by a
 * virtual clock (each chunk reserves its share of time), so ten downloads get a tenth each.
 */
export class Throttle {
  private next = 0;

  constructor(private readonly bytesPerSecond: number) {}

  /** Resolves when `bytes` may be sent. */
  async take(bytes: number): Promise<void> {
    const now = performance.now();
    const start = Math.max(this.next, now - MAX_BURST_MS);
    this.next = start + (bytes * 1000) / this.bytesPerSecond;
    const wait = start - now;
    if (wait > 1) await sleep(wait);
  }

  /** A pass-through stream that sends at this budget's pace. */
  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        this.take(chunk.length).then(
          () => done(null, chunk),
          (error: unknown) => done(error as Error),
        );
      },
    });
  }
}

/** The throttle EXR_PACKAGE_MBPS asks for (megabits per second), or undefined for no limit. */
export function throttleFor(mbps: number): Throttle | undefined {
  return mbps > 0 ? new Throttle((mbps * 1_000_000) / 8) : undefined;
}
