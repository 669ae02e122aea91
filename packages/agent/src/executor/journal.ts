import { AgentToServerMessages, PlanStep } from '@exrollout/core';
import Type, { type Static } from 'typebox';

/** The version of the journal entry format; an entry of another version is treated as corrupt. */
export const JOURNAL_VERSION = 1;

/** How many entries a journal keeps by default: the newest, by their last write. */
export const DEFAULT_JOURNAL_LIMIT = 500;

const strict = { additionalProperties: false } as const;
const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });

/** The payload of a STEP_RESULT, exactly as it is (or was) sent. */
export const StepResultPayload = AgentToServerMessages.STEP_RESULT.properties.payload;
export type StepResultPayload = Static<typeof StepResultPayload>;

const common = {
  version: Type.Literal(JOURNAL_VERSION),
  commandId: AgentToServerMessages.COMMAND_ACK.properties.payload.properties.commandId,
  rolloutId: Type.String({ maxLength: 128 }),
  step: PlanStep,
  attempts: Type.Integer({ minimum: 1, description: 'How many times this agent started the step.' }),
  startedAt: IsoTime,
  updatedAt: IsoTime,
};

/** A command whose step was started and has not finished (or whose agent died before it finished). */
export const StartedEntry = Type.Object({ ...common, state: Type.Literal('started') }, strict);
export type StartedEntry = Static<typeof StartedEntry>;

/** A command whose step finished: its result, and whether a send of it has succeeded. */
export const DoneEntry = Type.Object(
  { ...common, state: Type.Literal('done'), result: StepResultPayload, sent: Type.Boolean() },
  strict,
);
export type DoneEntry = Static<typeof DoneEntry>;

/** One command in the journal, keyed by its command id. */
export const JournalEntry = Type.Union([StartedEntry, DoneEntry]);
export type JournalEntry = Static<typeof JournalEntry>;

/** The entry of a command about to run: its first start, or one more attempt after a restart. */
export function startedEntry(
  command: { readonly commandId: string; readonly rolloutId: string; readonly step: PlanStep },
  previous: StartedEntry | undefined,
  at: string,
): StartedEntry {
  const { commandId, rolloutId, step } = command;
  const attempts = (previous?.attempts ?? 0) + 1;
  const startedAt = previous?.startedAt ?? at;
  return {
    version: JOURNAL_VERSION,
    commandId,
    rolloutId,
    step,
    state: 'started',
    attempts,
    startedAt,
    updatedAt: at,
  };
}

/** Where the agent remembers the commands it started and the results it owes, across reconnects and restarts. */
export interface CommandJournal {
  /** The entry of a command; undefined when there is none (or it was corrupt). */
  get(commandId: string): Promise<JournalEntry | undefined>;
  /** Writes an entry, replacing the command's previous one; resolves once it is durable. Throws JournalError. */
  put(entry: JournalEntry): Promise<void>;
  /** Finished commands whose result has not been sent yet, oldest first. */
  unsent(): Promise<DoneEntry[]>;
}

/**
 * The entries of a journal in memory, oldest write first, bounded to `limit`: writing an entry makes it the
 * newest, and the oldest ones beyond the limit are evicted. @internal
 */
export class JournalIndex {
  readonly #entries = new Map<string, JournalEntry>();

  /** Keeps at most `limit` entries (at least 1). */
  constructor(readonly limit: number = DEFAULT_JOURNAL_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`a journal keeps at least one entry (got ${limit})`);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry of a command, if held. */
  get(commandId: string): JournalEntry | undefined {
    return this.#entries.get(commandId);
  }

  /** Stores an entry as the newest; returns the entries evicted to stay within the limit. */
  set(entry: JournalEntry): JournalEntry[] {
    // Deleting first moves the command to the end of the Map's insertion order: the newest.
    this.#entries.delete(entry.commandId);
    this.#entries.set(entry.commandId, entry);
    const evicted: JournalEntry[] = [];
    for (const [commandId, oldest] of this.#entries) {
      if (this.#entries.size <= this.limit) break;
      this.#entries.delete(commandId);
      evicted.push(oldest);
    }
    return evicted;
  }

  /** Finished entries not sent yet, oldest first. */
  unsent(): DoneEntry[] {
    return [...this.#entries.values()].filter(
      (entry): entry is DoneEntry => entry.state === 'done' && !entry.sent,
    );
  }
}
