import type { AgentMessage } from '@exrollout/core';
import type { AgentLogger } from '../client/logger.js';
import { describeError } from './errors.js';
import type { CommandJournal, DoneEntry } from './journal.js';
import { resultMessage } from './replies.js';

/** What an outbox needs. @internal */
export interface ResultOutboxDeps {
  readonly journal: CommandJournal;
  readonly logger: AgentLogger;
  /** Sends on the live connection; false when there is none. */
  readonly send: (message: AgentMessage) => boolean;
  /** The time, as an ISO string, for `updatedAt`. */
  readonly iso: () => string;
}

/** Sends journaled results and records in the journal which ones the connection took. @internal */
export class ResultOutbox {
  readonly #deps: ResultOutboxDeps;

  constructor(deps: ResultOutboxDeps) {
    this.#deps = deps;
  }

  /** Sends a finished command's result unchanged; marks it sent when the socket took it. Returns whether it did. */
  async deliver(entry: DoneEntry): Promise<boolean> {
    if (!this.#deps.send(resultMessage(entry.result))) return false;
    if (!entry.sent) await this.#markSent(entry);
    return true;
  }

  /** Sends every result the journal still owes, oldest first, until the connection refuses one. */
  async flush(): Promise<void> {
    let owed: DoneEntry[];
    try {
      owed = await this.#deps.journal.unsent();
    } catch (error) {
      this.#deps.logger.error({ err: describeError(error) }, 'cannot read the journal for results owed');
      return;
    }
    for (const entry of owed) {
      if (!(await this.deliver(entry))) return;
      this.#deps.logger.info({ commandId: entry.commandId }, 'result sent after reconnecting');
    }
  }

  async #markSent(entry: DoneEntry): Promise<void> {
    try {
      await this.#deps.journal.put({ ...entry, sent: true, updatedAt: this.#deps.iso() });
    } catch (error) {
      // At worst the result goes out again after the next WELCOME; the server ignores a duplicate.
      this.#deps.logger.warn(
        { commandId: entry.commandId, err: describeError(error) },
        'cannot mark a result as sent',
      );
    }
  }
}
