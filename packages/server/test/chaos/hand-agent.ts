import type { AgentMessage, InventoryServer, PlanStep, ServerMessage, StepDetails } from '@exrollout/core';
import { enrolAgent, RawAgent, type TestServer } from '../helpers.js';

type Command = ServerMessage<'COMMAND'>['payload'];

/** One command as a hand agent's script gets it: what a real agent would send back, to send, bend or hold. */
export interface Turn {
  readonly command: Command;
  readonly agent: HandAgent;
  /** ACK, progress, the inventory an install changed, and the result, in the order a real agent sends them. */
  readonly replies: AgentMessage[];
  readonly result: AgentMessage<'STEP_RESULT'>;
}

/** How a hand agent answers one command; `plainly` sends the replies as they are. */
export type Script = (turn: Turn) => Promise<void>;

/** Sends the replies as a real agent would. */
export const plainly: Script = async ({ agent, replies }) => agent.sendAll(replies);

/**
 * An agent spoken by hand over RawAgent: it says HELLO, reports a Hub Transport server, heartbeats, and answers
 * the server's commands as a real agent does (a repeated command id from its journal, without running it again),
 * while a test's script may duplicate, reorder, hold or forge what it sends. Its clock may be off by `skewMs`.
 */
export class HandAgent {
  /** Every result sent, by command id: what a repeated command is answered with. */
  readonly journal = new Map<string, AgentMessage<'STEP_RESULT'>>();
  /** The ERROR messages the server sent on any connection. */
  readonly errors: ServerMessage<'ERROR'>[] = [];
  script: Script = plainly;
  #raw: RawAgent;
  #build: string;
  #running: string | undefined;
  #serving = true;
  #heartbeat: NodeJS.Timeout;

  private constructor(
    readonly server: TestServer,
    readonly report: InventoryServer,
    readonly credential: string,
    readonly skewMs: number,
    raw: RawAgent,
  ) {
    this.#raw = raw;
    this.#build = report.build;
    this.#heartbeat = setInterval(() => this.send(this.#beat()), 150);
    void this.#serve();
  }

  /** Enrols `report.name`, connects, says HELLO and reports; then answers commands until `stop()`. */
  static async start(server: TestServer, report: InventoryServer, skewMs = 0): Promise<HandAgent> {
    const credential = await enrolAgent(server, report.name);
    const raw = await RawAgent.connect(server.wsUrl, credential);
    const agent = new HandAgent(server, report, credential, skewMs, raw);
    await agent.#introduce(raw);
    return agent;
  }

  /** The connection in use. */
  get raw(): RawAgent {
    return this.#raw;
  }

  /** The build the host is on now. */
  get build(): string {
    return this.#build;
  }

  /** The agent's clock: an ISO time `skewMs` off the real one. */
  now(): string {
    return new Date(Date.now() + this.skewMs).toISOString();
  }

  /** Sends on the connection in use (or on `raw`); a result sent is journaled. */
  send(message: AgentMessage, raw: RawAgent = this.#raw): void {
    if (message.type === 'STEP_RESULT') this.journal.set(message.payload.commandId, message);
    if (raw.socket.readyState === raw.socket.OPEN) raw.send(message);
  }

  /** Sends a message that is no reply of this agent's (a forgery): never journaled, never answered with. */
  forge(message: AgentMessage): void {
    this.#raw.send(message);
  }

  /** Sends each message in order. */
  sendAll(messages: readonly AgentMessage[], raw: RawAgent = this.#raw): void {
    for (const message of messages) this.send(message, raw);
  }

  /** The inventory report of the host as it is now (or on `build`). */
  inventory(build = this.#build): AgentMessage<'INVENTORY'> {
    return {
      version: 1,
      type: 'INVENTORY',
      payload: {
        server: { ...this.report, build },
        host: { architecture: 'x64', pendingReboot: false },
        collectedAt: this.now(),
      },
    };
  }

  /** Opens a new connection and makes it the one in use, as an agent does after a drop; returns the old one. */
  async reconnect(
    options: { readonly drop?: boolean; readonly beforeHello?: () => void } = {},
  ): Promise<RawAgent> {
    const old = this.#raw;
    if (options.drop) old.socket.terminate();
    const raw = await RawAgent.connect(this.server.wsUrl, this.credential);
    options.beforeHello?.();
    this.#raw = raw;
    await this.#introduce(raw);
    return old;
  }

  /** Waits for the next ERROR on the connection in use. */
  async error(timeoutMs = 3000): Promise<ServerMessage<'ERROR'>> {
    const error = await this.#raw.next('ERROR', timeoutMs);
    this.errors.push(error);
    return error;
  }

  /** Stops answering and closes the connection. */
  stop(): void {
    this.#serving = false;
    clearInterval(this.#heartbeat);
    this.#raw.close();
  }

  async #introduce(raw: RawAgent): Promise<void> {
    await raw.hello(this.report.name);
    this.send(this.inventory(), raw);
  }

  async #serve(): Promise<void> {
    while (this.#serving) {
      const raw = this.#raw;
      const command = await raw.next('COMMAND', 500).catch(() => undefined);
      if (command) this.#answer(command.payload, raw);
    }
  }

  #answer(command: Command, raw: RawAgent): void {
    const done = this.journal.get(command.commandId);
    if (done || this.#running === command.commandId) {
      this.send(done ?? ack(command.commandId), raw);
      return;
    }
    this.#running = command.commandId;
    const turn = this.#turn(command);
    void this.script(turn).finally(() => {
      if (this.#running === command.commandId) this.#running = undefined;
    });
  }

  // The host changes as the step runs; what reaches the server is up to the script.
  #turn(command: Command): Turn {
    const { commandId, step } = command;
    const before = this.#build;
    const target = String(command.args.targetBuild ?? before);
    if (step === 'install') this.#build = target;
    const details: StepDetails =
      step === 'precheck'
        ? { build: before, rebootRequired: false }
        : step === 'install'
          ? { build: target, logPath: 'C:\\ExchangeSetupLogs\\KB959241.log' }
          : step === 'verify'
            ? { build: this.#build }
            : {};
    const result: AgentMessage<'STEP_RESULT'> = {
      version: 1,
      type: 'STEP_RESULT',
      payload: { commandId, step, outcome: 'succeeded', details, finishedAt: this.now() },
    };
    const replies: AgentMessage[] = [
      ack(commandId),
      progress(commandId, step, 0),
      ...(step === 'install' ? [progress(commandId, step, 100), this.inventory()] : []),
      result,
    ];
    return { command, agent: this, replies, result };
  }

  #beat(): AgentMessage<'HEARTBEAT'> {
    return {
      version: 1,
      type: 'HEARTBEAT',
      payload: { sentAt: this.now(), ...(this.#running ? { runningCommandId: this.#running } : {}) },
    };
  }
}

/** A COMMAND_ACK. */
export function ack(commandId: string): AgentMessage<'COMMAND_ACK'> {
  return { version: 1, type: 'COMMAND_ACK', payload: { commandId } };
}

/** A STEP_PROGRESS. */
export function progress(commandId: string, step: PlanStep, percent: number): AgentMessage<'STEP_PROGRESS'> {
  return {
    version: 1,
    type: 'STEP_PROGRESS',
    payload: { commandId, step, percent, message: `${step} ${percent}%` },
  };
}

/** A succeeded STEP_RESULT for any command id, as a forger would send it. */
export function forgedResult(
  commandId: string,
  step: PlanStep,
  finishedAt: string,
): AgentMessage<'STEP_RESULT'> {
  return {
    version: 1,
    type: 'STEP_RESULT',
    payload: { commandId, step, outcome: 'succeeded', details: { build: '8.1.340.1' }, finishedAt },
  };
}
