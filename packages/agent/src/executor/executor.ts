import type { AgentMessage } from '@exrollout/core';
import type {
  CancelPayload,
  CommandChannel,
  CommandHandler,
  CommandPayload,
} from '../client/command-handler.js';
import type { AgentLogger } from '../client/logger.js';
import type { HostDriver } from '../drivers/types.js';
import type { PackageSource } from '../staging/source.js';
import { checkStepArgs, type StepRequest } from './args.js';
import { describeError, type ExecutorErrorCode } from './errors.js';
import {
  type CommandJournal,
  type DoneEntry,
  type JournalEntry,
  type StartedEntry,
  startedEntry,
} from './journal.js';
import { ResultOutbox } from './outbox.js';
import { ackMessage, failed, resultMessage } from './replies.js';
import { changesInventory, runStep } from './run-step.js';

/** What an executor needs. */
export interface StepExecutorOptions {
  /** Runs the steps; keep one executor per driver (a host runs one step at a time). */
  readonly driver: HostDriver;
  /** Remembers started commands and finished results: a FileJournal for a process, a MemoryJournal in a fleet. */
  readonly journal: CommandJournal;
  /** The executor logs under `{ component: 'executor' }`. */
  readonly logger: AgentLogger;
  /** Least time between two progress reports with the same percent, in milliseconds. @default 1000 */
  readonly progressIntervalMs?: number;
  /** The time, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** The server's package store, for the stage step. @default none: the stage step of a downloading driver fails */
  readonly packages?: PackageSource;
}

interface Running {
  readonly command: CommandPayload;
  readonly controller: AbortController;
}

/**
 * Runs the commands the server sends, one at a time, through a journal, so that a reconnect, a restart or a
 * reboot in the middle neither repeats a finished step nor forgets its result: the CommandHandler that
 * `exrollout-agent` and every fleet-sim agent give their AgentClient.
 */
export class StepExecutor implements CommandHandler {
  readonly #driver: HostDriver;
  readonly #journal: CommandJournal;
  readonly #logger: AgentLogger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #packages: PackageSource | undefined;
  readonly #outbox: ResultOutbox;
  #queue: Promise<void> = Promise.resolve();
  #channel: CommandChannel | undefined;
  #running: Running | undefined;
  #step: Promise<void> = Promise.resolve();

  /** Nothing runs until the first command. */
  constructor(options: StepExecutorOptions) {
    this.#driver = options.driver;
    this.#journal = options.journal;
    this.#logger = options.logger.child({ component: 'executor' });
    this.#intervalMs = options.progressIntervalMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#packages = options.packages;
    this.#outbox = new ResultOutbox({
      journal: this.#journal,
      logger: this.#logger,
      send: (message) => this.#send(message),
      iso: () => this.#iso(),
    });
  }

  /** Checks, journals, acknowledges and starts a command, or answers it from the journal; never throws. */
  onCommand(command: CommandPayload, channel: CommandChannel): void {
    this.#channel = channel;
    void this.#enqueue(() => this.#admit(command));
  }

  /** Aborts the running command if it is the one named; any other cancel is logged and ignored. */
  onCancel(cancel: CancelPayload, channel: CommandChannel): void {
    this.#channel = channel;
    void this.#enqueue(async () => this.#cancel(cancel));
  }

  /** Makes `channel` the one results go to, and sends there every result the journal still owes. */
  onReady(channel: CommandChannel): void {
    this.#channel = channel;
    void this.#enqueue(() => this.#outbox.flush());
  }

  /** The command whose step runs now, for HEARTBEAT. */
  runningCommandId(): string | undefined {
    return this.#running?.command.commandId;
  }

  /** Aborts the running step, if any (its result is journaled as the driver reports it), then waits for idle. */
  async cancelRunning(reason: string): Promise<void> {
    this.#running?.controller.abort(new Error(reason));
    await this.idle();
  }

  /** Resolves once every journal write and send queued so far is done; a running step is not waited for. */
  async drain(): Promise<void> {
    let queue: Promise<void>;
    do {
      queue = this.#queue;
      await queue;
    } while (queue !== this.#queue);
  }

  /** Resolves once no step runs and every journal write and send in hand is done. */
  async idle(): Promise<void> {
    for (;;) {
      const queue = this.#queue;
      const step = this.#step;
      await Promise.all([queue, step]);
      if (queue === this.#queue && step === this.#step) return;
    }
  }

  // Every journal read and write goes through one queue, so that a repeated COMMAND, a CANCEL, a finishing
  // step and a reconnect's flush see each other's writes in the order they arrived.
  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      this.#logger.error({ err: describeError(error) }, 'command handling failed');
    });
    return this.#queue;
  }

  async #admit(command: CommandPayload): Promise<void> {
    const { commandId } = command;
    const check = checkStepArgs(command.step, command.args);
    if (!check.ok) return this.#refuse(command, 'INVALID_ARGUMENTS', check.message);
    if (this.#running?.command.commandId === commandId) {
      this.#logger.debug({ commandId }, 'command repeated while it runs; acknowledged again');
      this.#send(ackMessage(commandId));
      return;
    }
    let previous: JournalEntry | undefined;
    try {
      previous = await this.#journal.get(commandId);
    } catch (error) {
      return this.#refuse(
        command,
        'AGENT_ERROR',
        `the journal cannot be read, so nothing ran: ${describeError(error)}`,
      );
    }
    if (previous?.state === 'done') return this.#replay(command, previous);
    const running = this.#running?.command.commandId;
    if (running !== undefined)
      return this.#refuse(
        command,
        'AGENT_BUSY',
        `this agent is running command ${running}; ${commandId} did not start`,
      );
    await this.#begin(command, check.request, previous);
  }

  async #begin(
    command: CommandPayload,
    request: StepRequest,
    previous: StartedEntry | undefined,
  ): Promise<void> {
    const entry = startedEntry(command, previous, this.#iso());
    try {
      await this.#journal.put(entry);
    } catch (error) {
      return this.#refuse(
        command,
        'AGENT_ERROR',
        `the journal cannot be written, so nothing ran: ${describeError(error)}`,
      );
    }
    if (previous)
      this.#logger.warn(
        { commandId: command.commandId, step: command.step, attempts: entry.attempts },
        'command was started before this agent restarted and never finished; running it again',
      );
    else this.#logger.info({ commandId: command.commandId, step: command.step }, 'running command');
    const running: Running = { command, controller: new AbortController() };
    this.#running = running;
    this.#send(ackMessage(command.commandId));
    this.#step = this.#execute(running, request, entry);
  }

  async #execute(running: Running, request: StepRequest, entry: StartedEntry): Promise<void> {
    const { commandId, step } = running.command;
    const result = await runStep({ commandId, step }, request, {
      driver: this.#driver,
      signal: running.controller.signal,
      send: (message) => this.#send(message),
      current: () => this.#running === running,
      progressIntervalMs: this.#intervalMs,
      now: this.#now,
      ...(this.#packages ? { packages: this.#packages } : {}),
    });
    await this.#enqueue(() => this.#finish(running, entry, result));
  }

  async #finish(running: Running, started: StartedEntry, result: DoneEntry['result']): Promise<void> {
    const entry: DoneEntry = { ...started, state: 'done', result, sent: false, updatedAt: this.#iso() };
    try {
      await this.#journal.put(entry);
    } catch (error) {
      // Sending beats losing: the server takes the result, and a repeated COMMAND re-runs a safe step.
      this.#logger.error(
        { commandId: entry.commandId, err: describeError(error) },
        'result not journaled; sent anyway',
      );
    }
    if (this.#running === running) this.#running = undefined;
    // The engine plans the next step from the inventory: it must show this step's effect before the result.
    if (changesInventory(entry.step)) await this.#refreshInventory();
    const { outcome, error } = result;
    this.#logger.info(
      { commandId: entry.commandId, step: entry.step, outcome, code: error?.code },
      'command finished',
    );
    if (!(await this.#outbox.deliver(entry)))
      this.#logger.info(
        { commandId: entry.commandId },
        'not connected; the result goes after the next WELCOME',
      );
  }

  async #replay(command: CommandPayload, entry: DoneEntry): Promise<void> {
    if (entry.step !== command.step)
      this.#logger.warn(
        { commandId: command.commandId, step: command.step, journaled: entry.step },
        'command id repeated for another step; answering with the journaled result',
      );
    this.#logger.info({ commandId: command.commandId }, 'command already finished; its result is sent again');
    await this.#outbox.deliver(entry);
  }

  #cancel(cancel: CancelPayload): void {
    const running = this.#running;
    if (running?.command.commandId !== cancel.commandId) {
      this.#logger.info(
        { ...cancel, running: running?.command.commandId },
        'cancel for a command not running; ignored',
      );
      return;
    }
    this.#logger.info({ ...cancel }, 'cancelling the running command');
    running.controller.abort(new Error(`cancelled by the server: ${cancel.reason}`));
  }

  async #refuse(command: CommandPayload, code: ExecutorErrorCode, message: string): Promise<void> {
    const { commandId, step } = command;
    this.#logger.warn({ commandId, step, code }, message);
    const result = failed({ commandId, step }, { code, message, details: {} }, new Date(this.#now()));
    this.#send(resultMessage(result));
  }

  async #refreshInventory(): Promise<void> {
    await this.#channel?.refreshInventory?.().catch((error: unknown) => {
      this.#logger.warn({ err: describeError(error) }, 'inventory refresh before a result failed');
    });
  }

  #send(message: AgentMessage): boolean {
    try {
      return this.#channel?.send(message) ?? false;
    } catch (error) {
      this.#logger.warn({ type: message.type, err: describeError(error) }, 'send failed');
      return false;
    }
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}
