import { describe, expect, it } from 'vitest';
import { forEachBounded } from './pool.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('forEachBounded', () => {
  it('never runs more than `concurrency` tasks at once, and runs every item once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      { concurrency: 7 },
      async (item) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        seen.push(item);
        inFlight -= 1;
      },
    );
    expect(most).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('reports failures without stopping the others, and starts nothing new once aborted', async () => {
    const abort = new AbortController();
    const errors: number[] = [];
    const ran: number[] = [];
    await forEachBounded(
      [1, 2, 3, 4, 5, 6],
      { concurrency: 1, signal: abort.signal, onError: (_error, item) => errors.push(item) },
      async (item) => {
        ran.push(item);
        if (item === 2) throw new Error('boom');
        if (item === 4) abort.abort();
      },
    );
    expect(errors).toEqual([2]);
    expect(ran).toEqual([1, 2, 3, 4]);
  });

  it('refuses a concurrency below one', async () => {
    await expect(forEachBounded([1], { concurrency: 0 }, async () => {})).rejects.toThrow(RangeError);
  });
});
