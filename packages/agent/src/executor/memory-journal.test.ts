import { describe, expect, it } from 'vitest';
import { type DoneEntry, JOURNAL_VERSION, JournalIndex, type StartedEntry } from './journal.js';
import { MemoryJournal } from './memory-journal.js';

function started(commandId: string): StartedEntry {
  return {
    version: JOURNAL_VERSION,
    commandId,
    rolloutId: 'r',
    step: 'precheck',
    state: 'started',
    attempts: 1,
    startedAt: '2009-02-10T12:00:00.000Z',
    updatedAt: '2009-02-10T12:00:00.000Z',
  };
}

function done(commandId: string, sent: boolean): DoneEntry {
  const result = { commandId, step: 'precheck' as const, outcome: 'succeeded' as const, details: {} };
  return {
    ...started(commandId),
    state: 'done',
    sent,
    result: { ...result, finishedAt: '2009-02-10T12:01:00.000Z' },
  };
}

describe('MemoryJournal', () => {
  it('keeps the newest entries by last write, and hands out copies', async () => {
    const journal = new MemoryJournal({ limit: 2 });
    await journal.put(started('a'));
    await journal.put(started('b'));
    await journal.put(started('a'));
    await journal.put(started('c'));

    expect(await journal.get('b')).toBeUndefined();
    expect(await journal.get('a')).toEqual(started('a'));
    expect(journal.size).toBe(2);
    const copy = await journal.get('c');
    if (copy) copy.attempts = 9;
    expect((await journal.get('c'))?.attempts).toBe(1);
  });

  it('lists the results not sent yet, oldest first', async () => {
    const journal = new MemoryJournal();
    await journal.put(done('x', false));
    await journal.put(done('y', true));
    await journal.put(started('z'));
    await journal.put(done('w', false));
    expect((await journal.unsent()).map((entry) => entry.commandId)).toEqual(['x', 'w']);
  });

  it('refuses a limit below one', () => {
    expect(() => new MemoryJournal({ limit: 0 })).toThrow(RangeError);
    expect(() => new JournalIndex(1.5)).toThrow(RangeError);
  });
});
