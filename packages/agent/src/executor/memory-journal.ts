import { type CommandJournal, type DoneEntry, type JournalEntry, JournalIndex } from './journal.js';

/**
 * A journal kept in memory: it survives reconnects and restarts of the client that uses it, not of the
 * process. The fleet simulator gives one to each simulated agent, for the agent's whole life.
 */
export class MemoryJournal implements CommandJournal {
  readonly #index: JournalIndex;

  /** Keeps the newest `limit` entries. @default 500 */
  constructor(options: { readonly limit?: number } = {}) {
    this.#index = new JournalIndex(options.limit);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#index.size;
  }

  /** The entry of a command (a copy), if held. */
  async get(commandId: string): Promise<JournalEntry | undefined> {
    const entry = this.#index.get(commandId);
    return entry && structuredClone(entry);
  }

  /** Stores a copy of the entry as the newest. */
  async put(entry: JournalEntry): Promise<void> {
    this.#index.set(structuredClone(entry));
  }

  /** Finished commands not sent yet, oldest first (copies). */
  async unsent(): Promise<DoneEntry[]> {
    return structuredClone(this.#index.unsent());
  }
}
