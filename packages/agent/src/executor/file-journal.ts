import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { formatPath, schemaIssues } from '@exrollout/core';
import { writeJsonAtomically } from '../atomic-file.js';
import type { AgentLogger } from '../client/logger.js';
import { JournalError } from './errors.js';
import { type CommandJournal, type DoneEntry, JournalEntry, JournalIndex } from './journal.js';

/** The journal's directory inside the agent's state directory. */
export const JOURNAL_DIR = 'journal';

/** The journal directory of a state directory: `<stateDir>/journal`. */
export function journalDir(stateDir: string): string {
  return join(stateDir, JOURNAL_DIR);
}

/**
 * The file an entry lives in: the command id made safe for any file system (`:` is not allowed on Windows),
 * then a hash of the exact id, so that ids differing only in case or punctuation never share a file.
 */
export function entryFileName(commandId: string): string {
  const readable = commandId.replace(/[^A-Za-z0-9_-]/g, '_');
  const hash = createHash('sha256').update(commandId, 'utf8').digest('hex').slice(0, 16);
  return `${readable}.${hash}.json`;
}

/** What a file journal needs. */
export interface FileJournalOptions {
  /** Its directory, `<stateDir>/journal`; created (mode 0700) on first use. */
  readonly dir: string;
  /** Where corrupt entries and failed clean-ups are logged. */
  readonly logger: AgentLogger;
  /** How many entries to keep, the newest by last write. @default 500 */
  readonly limit?: number;
}

/**
 * A journal on disk: one JSON file per command (mode 0600), each written atomically (a temporary file in the
 * same directory, flushed, then renamed), read once into memory on first use. A corrupt file is logged and
 * treated as absent; entries beyond the limit are deleted, oldest first.
 */
export class FileJournal implements CommandJournal {
  readonly #dir: string;
  readonly #logger: AgentLogger;
  readonly #index: JournalIndex;
  #opening: Promise<void> | undefined;

  /** Checks the limit; nothing is read until `open` or the first call. */
  constructor(options: FileJournalOptions) {
    this.#dir = options.dir;
    this.#logger = options.logger.child({ component: 'journal' });
    this.#index = new JournalIndex(options.limit);
  }

  /** Its directory. */
  get dir(): string {
    return this.#dir;
  }

  /** Creates the directory and reads every entry; later calls reuse the first. Throws JournalError. */
  open(): Promise<void> {
    this.#opening ??= this.#load().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  /** The entry of a command, if there is a readable one. */
  async get(commandId: string): Promise<JournalEntry | undefined> {
    await this.open();
    return this.#index.get(commandId);
  }

  /** Writes the entry's file atomically, then deletes the files of entries beyond the limit. */
  async put(entry: JournalEntry): Promise<void> {
    await this.open();
    await this.#write(entry);
    await this.#remove(this.#index.set(entry));
  }

  /** Finished commands not sent yet, oldest first. */
  async unsent(): Promise<DoneEntry[]> {
    await this.open();
    return this.#index.unsent();
  }

  async #load(): Promise<void> {
    let names: string[];
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      names = await readdir(this.#dir);
    } catch (error) {
      throw new JournalError(
        'AGENT_ERR_JOURNAL_READ',
        `cannot open the journal ${this.#dir}: ${why(error)}`,
        {
          cause: error,
        },
      );
    }
    const entries: JournalEntry[] = [];
    for (const name of names) {
      // A temporary file is a write that a crash cut short; the entry it was for still has its old file.
      if (name.endsWith('.tmp')) await unlink(join(this.#dir, name)).catch(() => {});
      else if (name.endsWith('.json')) {
        const entry = await this.#read(name);
        if (entry) entries.push(entry);
      }
    }
    entries.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    const evicted = entries.flatMap((entry) => this.#index.set(entry));
    await this.#remove(evicted);
  }

  async #read(name: string): Promise<JournalEntry | undefined> {
    const file = join(this.#dir, name);
    try {
      const value: unknown = JSON.parse(await readFile(file, 'utf8'));
      const [issue] = schemaIssues(JournalEntry, value);
      if (issue) throw new Error(`${formatPath(issue.path) || 'entry'} ${issue.message}`);
      const entry = value as JournalEntry;
      if (entryFileName(entry.commandId) !== name)
        throw new Error(
          `it holds command ${entry.commandId}, whose file is ${entryFileName(entry.commandId)}`,
        );
      return entry;
    } catch (error) {
      this.#logger.warn({ file, error: why(error) }, 'corrupt journal entry ignored; treated as absent');
      return undefined;
    }
  }

  async #write(entry: JournalEntry): Promise<void> {
    const name = entryFileName(entry.commandId);
    try {
      await writeJsonAtomically(this.#dir, name, entry);
    } catch (error) {
      throw new JournalError(
        'AGENT_ERR_JOURNAL_WRITE',
        `cannot write ${join(this.#dir, name)}: ${why(error)}`,
        {
          cause: error,
        },
      );
    }
    await this.#syncDir();
  }

  // Makes the rename itself durable on POSIX; Windows cannot open a directory for flushing, and needs not.
  async #syncDir(): Promise<void> {
    try {
      const dir = await open(this.#dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {}
  }

  async #remove(entries: readonly JournalEntry[]): Promise<void> {
    for (const entry of entries) {
      const file = join(this.#dir, entryFileName(entry.commandId));
      await unlink(file).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'ENOENT')
          this.#logger.warn({ file, error: why(error) }, 'cannot delete an old journal entry');
      });
    }
  }
}

function why(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  return error instanceof Error ? error.message : String(error);
}
