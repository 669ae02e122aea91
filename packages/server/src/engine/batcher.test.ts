import { describe, expect, it } from 'vitest';
import { type BatchItem, MAX_BATCH, RolloutBatcher } from './batcher.js';

type Log = string[];

function recorder() {
  const batches: string[][] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  const batcher = new RolloutBatcher<Log>(async (id, items) => {
    const log: Log = [];
    // The first batch waits at the gate, so that everything submitted meanwhile queues up behind it.
    if (gate) await gate;
    for (const item of items) await item.change(log);
    for (const item of items) item.verify?.(log);
    batches.push(log.map((entry) => `${id}:${entry}`));
  });
  const hold = () => {
    gate = new Promise((resolve) => {
      release = () => {
        gate = undefined;
        resolve();
      };
    });
  };
  return { batcher, batches, hold, release: () => release() };
}

const append = (entry: string, exclusive = false): BatchItem<Log> => ({
  change: async (log) => void log.push(entry),
  exclusive,
  dispatches: true,
});

describe('RolloutBatcher', () => {
  it('applies the changes that queued up while a batch ran in one batch, in the order they came', async () => {
    const { batcher, batches, hold, release } = recorder();
    hold();
    const first = batcher.submit('r1', append('a'));
    const rest = ['b', 'c', 'd'].map((entry) => batcher.submit('r1', append(entry)));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([['r1:a'], ['r1:b', 'r1:c', 'r1:d']]);
  });

  it('applies an exclusive change alone, between the shared ones around it', async () => {
    const { batcher, batches, hold, release } = recorder();
    hold();
    const all = [
      batcher.submit('r1', append('a')),
      batcher.submit('r1', append('b')),
      batcher.submit('r1', append('start', true)),
      batcher.submit('r1', append('c')),
    ];
    release();
    await Promise.all(all);
    expect(batches).toEqual([['r1:a'], ['r1:b'], ['r1:start'], ['r1:c']]);
  });

  it('keeps rollouts apart: each has its own queue', async () => {
    const { batcher, batches } = recorder();
    await Promise.all([batcher.submit('r1', append('a')), batcher.submit('r2', append('b'))]);
    expect(batches.flat().sort()).toEqual(['r1:a', 'r2:b']);
  });

  it('takes at most MAX_BATCH changes into one batch', async () => {
    const { batcher, batches, hold, release } = recorder();
    hold();
    const all = Array.from({ length: MAX_BATCH + 11 }, (_, i) => batcher.submit('r1', append(String(i))));
    release();
    await Promise.all(all);
    expect(batches.map((batch) => batch.length)).toEqual([1, MAX_BATCH, 10]);
  });

  it('fails only the change that throws: the others of its batch are applied on their own', async () => {
    const { batcher, batches, hold, release } = recorder();
    hold();
    const first = batcher.submit('r1', append('a'));
    const good = batcher.submit('r1', append('b'));
    const bad = batcher.submit('r1', {
      change: async () => {
        throw new Error('bad change');
      },
      exclusive: false,
      dispatches: true,
    });
    const after = batcher.submit('r1', append('c'));
    release();
    await expect(bad).rejects.toThrow('bad change');
    await Promise.all([first, good, after]);
    expect(batches).toEqual([['r1:a'], ['r1:b'], ['r1:c']]);
  });

  it('rejects an exclusive change whose check fails, and goes on with the next', async () => {
    const { batcher, batches } = recorder();
    const refused = batcher.submit('r1', {
      ...append('resume', true),
      verify: () => {
        throw new Error('cannot resume');
      },
    });
    const next = batcher.submit('r1', append('a'));
    await expect(refused).rejects.toThrow('cannot resume');
    await next;
    expect(batches).toEqual([['r1:a']]);
  });

  it('is idle only once every change submitted has been applied', async () => {
    const { batcher, batches, hold, release } = recorder();
    hold();
    void batcher.submit('r1', append('a'));
    void batcher.submit('r2', append('b'));
    let idle = false;
    const waiting = batcher.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(batches.flat().sort()).toEqual(['r1:a', 'r2:b']);
  });
});
