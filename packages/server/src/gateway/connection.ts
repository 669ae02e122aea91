import {
  type AgentMessage,
  checkServer,
  decodeAgentMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from '@exrollout/core';
import type { WebSocket } from 'ws';
import type { ServerConfig } from '../config.js';
import { type Logger, scrubSecrets } from '../logger.js';
import type { InventoryStore } from '../stores/inventory-store.js';
import { CLOSE } from './close-codes.js';
import { FrameQueue } from './frame-queue.js';
import type { InventoryLimiter } from './inventory-limiter.js';
import type { ConnectionRegistry } from './registry.js';

/** Receives what agents say about commands; the rollout engine implements it. */
export interface CommandSink {
  /** Handles COMMAND_ACK, STEP_PROGRESS and STEP_RESULT; returns an error code if the command is unknown. */
  handle(
    agent: string,
    message: AgentMessage<'COMMAND_ACK' | 'STEP_PROGRESS' | 'STEP_RESULT'>,
  ): Promise<string | undefined>;
  /** A STEP_RESULT for `commandId` was refused (it broke its schema): its step fails now, with `reason`. */
  refused?(agent: string, commandId: string, reason: string): Promise<void>;
}

/** What a connection needs from the rest of the server. */
export interface ConnectionDeps {
  readonly config: Readonly<ServerConfig>;
  readonly store: InventoryStore;
  readonly registry: ConnectionRegistry<AgentConnection>;
  readonly commands: CommandSink;
  readonly inventoryLimiter: InventoryLimiter;
  readonly logger: Logger;
  readonly serverVersion: string;
  /** Called once the agent said HELLO, is registered here and was welcomed. */
  onRegistered(connection: AgentConnection): Promise<void>;
  /** Called when this connection closed and the agent has no other: it is offline. */
  onOffline?(connection: AgentConnection, closeCode: number): Promise<void>;
}

const FRAME_TIMEOUT_MS = 10_000;
// How long a peer has to answer the close frame before its socket is cut: one that never reads would otherwise
// hold it for ws's 30 s, or until it misses two pings.
const CLOSE_GRACE_MS = 1000;

/** One agent's WebSocket: authenticates its HELLO, validates every frame, keeps its liveness in Redis. */
export class AgentConnection {
  private registered = false;
  private invalid = 0;
  private inventoriesRefused = 0;
  private alive = true;
  // Frames of one agent are handled in order, so that its reports reach Redis in the order it sent them.
  private readonly frames: FrameQueue;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log: Logger;

  constructor(
    private readonly socket: WebSocket,
    readonly name: string,
    readonly credentialHash: string,
    readonly session: string,
    private readonly deps: ConnectionDeps,
  ) {
    this.log = deps.logger.child({ agent: name, session });
    this.frames = new FrameQueue(FRAME_TIMEOUT_MS, (error) =>
      this.log.error({ err: error }, 'agent message handling failed'),
    );
  }

  /** Attaches the socket's handlers; must run synchronously in the route handler so no frame is missed. */
  start(): void {
    this.socket.on('message', (data, isBinary) => this.enqueue(() => this.onFrame(data, isBinary)));
    this.socket.on('pong', () => {
      this.alive = true;
    });
    this.socket.on('close', (code) =>
      this.deps.registry.trackClosing(
        new Promise<void>((resolve) => this.enqueue(() => this.onClose(code).finally(resolve))),
      ),
    );
    this.socket.on('error', (error) => this.log.warn({ err: error }, 'agent socket error'));
    const { helloTimeoutMs } = this.deps.config;
    this.timers.push(
      setTimeout(
        () =>
          this.registered ||
          this.close(CLOSE.PROTOCOL_VIOLATION, `no HELLO within ${helloTimeoutMs / 1000} s`),
        helloTimeoutMs,
      ),
    );
    this.timers.push(setInterval(() => this.ping(), this.deps.config.heartbeatIntervalMs));
  }

  /** Sends a message to the agent; false if the socket is no longer open. */
  send(message: ServerMessage): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    this.socket.send(encodeMessage(message));
    return true;
  }

  /** Closes the connection with a code the agent acts on. */
  close(code: number, reason: string): void {
    this.log.info({ code, reason }, 'closing agent connection');
    this.socket.close(code, reason);
    this.timers.push(setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS));
  }

  private enqueue(work: () => Promise<void>): void {
    this.frames.push(work);
  }

  private ping(): void {
    if (!this.alive) {
      this.log.warn('agent did not answer the last ping; terminating');
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  private async onFrame(data: unknown, isBinary: boolean): Promise<void> {
    if (isBinary) return this.reject('PROTOCOL_INVALID_JSON', 'binary frames are not accepted');
    const decoded = decodeAgentMessage(String(data));
    if (!decoded.ok) {
      // An agent answers a repeated command with the result it journaled: refused, it would come back at every
      // redelivery until the step timed out. The step fails at once instead, with the reason.
      const result = this.registered && decoded.type === 'STEP_RESULT' ? decoded.commandId : undefined;
      if (result) await this.deps.commands.refused?.(this.name, result, decoded.error);
      return this.reject(decoded.code, decoded.error, result ? { inReplyTo: result } : {});
    }
    const message = decoded.message;
    if (!this.registered && message.type !== 'HELLO')
      return this.reject('PROTOCOL_HELLO_REQUIRED', `${message.type} before HELLO`);
    await this.dispatch(message);
  }

  private async dispatch(message: AgentMessage): Promise<void> {
    switch (message.type) {
      case 'HELLO':
        return this.onHello(message);
      case 'INVENTORY':
        return this.onInventory(message);
      case 'HEARTBEAT':
        return this.deps.store.touch(this.name, new Date());
      case 'COMMAND_ACK':
      case 'STEP_PROGRESS':
      case 'STEP_RESULT': {
        const error = await this.deps.commands.handle(this.name, message);
        if (error)
          this.reject(
            error,
            `${message.type} for command ${message.payload.commandId}, which this agent was not sent`,
          );
        return;
      }
    }
  }

  private async onHello(message: AgentMessage<'HELLO'>): Promise<void> {
    if (this.registered) return this.reject('PROTOCOL_DUPLICATE_HELLO', 'HELLO was already received');
    if (!sameName(message.payload.name, this.name)) return this.nameMismatch(message.payload.name);
    this.registered = true;
    const { agentVersion, driver, mode } = message.payload;
    await this.deps.store.connected(
      this.name,
      {
        session: this.session,
        instance: this.deps.config.instanceId,
        agentVersion,
        driver,
        ...(mode ? { mode } : {}),
      },
      new Date(),
    );
    this.deps.registry.add(this);
    this.send({
      version: PROTOCOL_VERSION,
      type: 'WELCOME',
      payload: {
        name: this.name,
        serverVersion: this.deps.serverVersion,
        heartbeatIntervalMs: this.deps.config.heartbeatIntervalMs,
        inventoryIntervalMs: this.deps.config.inventoryIntervalMs,
      },
    });
    await this.deps.onRegistered(this);
    this.log.info({ agentVersion, driver }, 'agent connected');
  }

  private async onInventory(message: AgentMessage<'INVENTORY'>): Promise<void> {
    const { server, host, collectedAt } = message.payload;
    if (!sameName(server.name, this.name)) return this.nameMismatch(server.name);
    const retryAfter = await this.deps.inventoryLimiter.take(this.name);
    if (retryAfter !== undefined) return this.inventoryOverLimit(retryAfter);
    this.inventoriesRefused = 0;
    const problems = checkServer(server);
    if (problems.length > 0)
      return this.reject(
        'INVENTORY_INCONSISTENT',
        problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      );
    const change = await this.deps.store.report(this.name, server, host, collectedAt, new Date());
    if (change) this.log.info({ from: change.from, to: change.to }, 'build changed');
  }

  // Refused, and counted as invalid, but logged once per run of refusals: a flood must not become one of log lines.
  private inventoryOverLimit(retryAfterSeconds: number): void {
    const { limit, windowSeconds } = this.deps.inventoryLimiter;
    this.reject(
      'PROTOCOL_RATE_LIMITED',
      `more than ${limit} INVENTORY messages within ${windowSeconds} s: this one was not stored; the next may be sent in ${retryAfterSeconds} s`,
      { log: this.inventoriesRefused++ === 0 },
    );
  }

  private nameMismatch(claimed: string): void {
    this.reject('AUTH_NAME_MISMATCH', `this credential speaks for ${this.name}, not ${claimed}`);
    this.close(CLOSE.NAME_MISMATCH, 'name does not match the credential');
  }

  private reject(code: string, error: string, options: { log?: boolean; inReplyTo?: string } = {}): void {
    this.invalid++;
    // The refusal may quote what the agent sent, which may be a secret pasted in the wrong place.
    if (options.log !== false)
      this.log.warn({ code, error: scrubSecrets(error), invalid: this.invalid }, 'refused an agent message');
    const inReplyTo = options.inReplyTo;
    this.send({
      version: PROTOCOL_VERSION,
      type: 'ERROR',
      payload: { code, message: error, ...(inReplyTo ? { inReplyTo } : {}) },
    });
    if (this.invalid >= this.deps.config.maxInvalidMessages)
      this.close(CLOSE.PROTOCOL_VIOLATION, `too many invalid messages (${this.invalid})`);
  }

  private async onClose(code: number): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.frames.stop();
    this.deps.registry.remove(this);
    if (!this.registered) return;
    const wentOffline = await this.deps.store.disconnected(this.name, this.session);
    this.log.info({ code, wentOffline }, 'agent disconnected');
    // A server shutting down closes every connection itself: that is not the agent dropping.
    if (wentOffline && code !== CLOSE.GOING_AWAY) await this.deps.onOffline?.(this, code);
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
