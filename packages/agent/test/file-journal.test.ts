import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DoneEntry,
  entryFileName,
  FileJournal,
  JOURNAL_VERSION,
  JournalError,
  type StartedEntry,
} from '../src/index.js';
import { RecordingLogger } from './recording-logger.js';

let stateDir: string;
let dir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'exrollout-journal-'));
  dir = join(stateDir, 'journal');
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function started(commandId: string, minute = 0): StartedEntry {
  const at = `2009-02-10T12:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    version: JOURNAL_VERSION,
    commandId,
    rolloutId: 'r-abc123',
    step: 'install',
    state: 'started',
    attempts: 1,
    startedAt: at,
    updatedAt: at,
  };
}

function done(entry: StartedEntry, sent = false): DoneEntry {
  return {
    ...entry,
    state: 'done',
    sent,
    result: {
      commandId: entry.commandId,
      step: entry.step,
      outcome: 'succeeded',
      details: { build: '8.1.340.1' },
      finishedAt: entry.updatedAt,
    },
  };
}

const open = (limit?: number, logger = new RecordingLogger()) =>
  new FileJournal({ dir, logger, ...(limit === undefined ? {} : { limit }) });

describe('FileJournal', () => {
  it('writes one 0600 file per command atomically, and a new journal reads it back', async () => {
    const journal = open();
    const id = 'r-abc123:SEA-CAS01:4:install:1';
    await journal.put(started(id));
    await journal.put(done(started(id, 1)));

    const names = await readdir(dir);
    expect(names).toEqual([entryFileName(id)]);
    expect(names[0]).toMatch(/^r-abc123_SEA-CAS01_4_install_1\.[0-9a-f]{16}\.json$/);
    expect((await stat(join(dir, entryFileName(id)))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(join(dir, entryFileName(id)), 'utf8'))).toEqual(done(started(id, 1)));

    const reopened = open();
    expect(await reopened.get(id)).toEqual(done(started(id, 1)));
    expect(await reopened.unsent()).toEqual([done(started(id, 1))]);
  });

  it('gives ids that differ only in case or punctuation their own files', () => {
    expect(entryFileName('r:A')).not.toBe(entryFileName('r:a'));
    expect(entryFileName('r:a').toLowerCase()).not.toBe(entryFileName('r_a').toLowerCase());
  });

  it('keeps the old entry when a write was cut short, and removes the temporary file', async () => {
    const id = 'c-1';
    await open().put(started(id));
    // What a crash between writing the temporary file and renaming it leaves behind.
    const temp = join(dir, `.${entryFileName(id)}.4242.deadbeef.tmp`);
    await writeFile(temp, '{"version":1,"commandId":"c-1","sta');

    const journal = open();
    expect(await journal.get(id)).toEqual(started(id));
    expect(await readdir(dir)).toEqual([entryFileName(id)]);
  });

  it('keeps the newest entries by last write and deletes the files of the others', async () => {
    const journal = open(3);
    for (const [minute, id] of ['a', 'b', 'c', 'd'].entries()) await journal.put(started(id, minute));
    await journal.put(done(started('b', 9)));
    await journal.put(started('e', 10));

    expect((await readdir(dir)).sort()).toEqual(['b', 'd', 'e'].map(entryFileName).sort());
    expect(await journal.get('a')).toBeUndefined();
    expect(await journal.get('c')).toBeUndefined();

    // On open, the newest by updatedAt survive a lower limit.
    const smaller = open(2);
    await smaller.open();
    expect((await readdir(dir)).sort()).toEqual(['b', 'e'].map(entryFileName).sort());
  });

  it('logs a corrupt entry and treats it as absent', async () => {
    await open().put(started('good'));
    await writeFile(join(dir, entryFileName('garbled')), '{ not json');
    await writeFile(join(dir, entryFileName('old')), JSON.stringify({ ...started('old'), version: 0 }));
    await writeFile(join(dir, entryFileName('moved')), JSON.stringify(started('elsewhere')));
    const logger = new RecordingLogger();
    const journal = open(undefined, logger);

    expect(await journal.get('garbled')).toBeUndefined();
    expect(await journal.get('old')).toBeUndefined();
    expect(await journal.get('elsewhere')).toBeUndefined();
    expect(await journal.get('good')).toEqual(started('good'));
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    expect(warnings.map((entry) => entry.message)).toEqual(
      Array(3).fill('corrupt journal entry ignored; treated as absent'),
    );
    const reasons = warnings.map((entry) => String(entry.fields.error));
    expect(reasons).toContainEqual(expect.stringContaining('JSON'));
    expect(reasons).toContainEqual(expect.stringMatching(/^version /));
    expect(reasons).toContainEqual(expect.stringContaining('it holds command elsewhere'));

    await journal.put(started('garbled'));
    expect(await open().get('garbled')).toEqual(started('garbled'));
  });

  it('throws JournalError when its directory cannot be used', async () => {
    await writeFile(join(stateDir, 'file'), '');
    const blocked = new FileJournal({
      dir: join(stateDir, 'file', 'journal'),
      logger: new RecordingLogger(),
    });
    await expect(blocked.open()).rejects.toMatchObject({ code: 'AGENT_ERR_JOURNAL_READ' });

    const journal = open();
    await journal.open();
    await rm(dir, { recursive: true });
    await writeFile(dir, '');
    const error = await journal.put(started('c-1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: 'AGENT_ERR_JOURNAL_WRITE' });
  });
});
