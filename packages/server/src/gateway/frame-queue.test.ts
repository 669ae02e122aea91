import { describe, expect, it } from 'vitest';
import { FrameQueue } from './frame-queue.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FrameQueue', () => {
  it('runs frames one at a time, in the order they came', async () => {
    const errors: unknown[] = [];
    const queue = new FrameQueue(1000, (error) => errors.push(error));
    const log: string[] = [];
    for (const [name, ms] of [
      ['a', 20],
      ['b', 0],
      ['c', 5],
    ] as const)
      queue.push(async () => {
        log.push(`${name} start`);
        await tick(ms);
        log.push(`${name} end`);
      });
    await tick(60);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(errors).toEqual([]);
    queue.stop();
  });

  it('reports a frame that throws and goes on with the next', async () => {
    const errors: unknown[] = [];
    const queue = new FrameQueue(1000, (error) => errors.push(error));
    const log: string[] = [];
    queue.push(async () => {
      throw new Error('bad frame');
    });
    queue.push(async () => void log.push('next'));
    await tick(10);
    expect(log).toEqual(['next']);
    expect(errors).toMatchObject([{ message: 'bad frame' }]);
    queue.stop();
  });

  it('gives up on a frame that hangs, and the frames after it still run', async () => {
    const errors: unknown[] = [];
    const queue = new FrameQueue(50, (error) => errors.push(error));
    const log: string[] = [];
    queue.push(() => new Promise<void>(() => undefined));
    queue.push(async () => void log.push('after the hung one'));
    await tick(30);
    expect(log).toEqual([]);
    await tick(80);
    expect(log).toEqual(['after the hung one']);
    expect(errors).toMatchObject([{ message: 'handling a frame took more than 50 ms' }]);
    queue.push(async () => void log.push('later'));
    await tick(10);
    expect(log).toEqual(['after the hung one', 'later']);
    queue.stop();
  });
});
