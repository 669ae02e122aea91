import type { IncomingMessage } from 'node:http';
import {
  type AgentMessage,
  assertExhaustive,
  decodeServerMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from '@exrollout/core';
import type WebSocket from 'ws';
import type { HostDriver } from '../drivers/types.js';
import type { CommandChannel, CommandHandler } from './command-handler.js';
import { InventoryReporter } from './inventory-reporter.js';
import type { AgentLogger } from './logger.js';

/** The payload of HELLO, as the agent introduces itself. */
export type HelloPayload = AgentMessage<'HELLO'>['payload'];
/** The payload of WELCOME: the server's name, version and the intervals it asks for. */
export type WelcomePayload = ServerMessage<'WELCOME'>['payload'];

/** How a connection ended: its close code and reason, the HTTP status of a refused handshake, its uptime. */
export interface SessionEnd {
  readonly code: number;
  readonly reason: string;
  /** Set when the server refused the WebSocket upgrade with an HTTP answer (e.g. 401). */
  readonly handshakeStatus?: number;
  /** How long the refusal's Retry-After asks the agent to wait (a 429 or 503), in milliseconds. */
  readonly retryAfterMs?: number;
  /** How long the connection stayed open, in milliseconds; 0 if it never opened. */
  readonly upMs: number;
  /** Whether the socket ever opened. */
  readonly opened: boolean;
  /** The last socket error, e.g. `connect ECONNREFUSED 127.0.0.1:8443`. */
  readonly error?: string;
}

/** What a session needs: where to connect, who it is, and whom to tell what happens. @internal */
export interface SessionDeps {
  readonly url: string;
  readonly credential: string;
  readonly hello: HelloPayload;
  readonly driver: HostDriver;
  readonly commands: CommandHandler;
  readonly logger: AgentLogger;
  readonly WebSocket: typeof WebSocket;
  readonly debounceMs: number;
  /** Longest wait for the upgrade, and then for WELCOME. */
  readonly timeoutMs: number;
  readonly onOpen: () => void;
  readonly onWelcome: (welcome: WelcomePayload) => void;
  readonly onEnd: (end: SessionEnd) => void;
}

const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * One WebSocket connection to the gateway: HELLO, then inventory and heartbeats on the server's schedule.
 * It never reconnects; the client decides what happens after `onEnd`. @internal
 */
export class Session {
  readonly #deps: SessionDeps;
  readonly #socket: WebSocket;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #abort = new AbortController();
  readonly #channel: CommandChannel;
  readonly #inventory: InventoryReporter;
  readonly #ended: Promise<void>;
  #resolveEnded: () => void = () => {};
  #openedAt: number | undefined;
  #handshakeStatus: number | undefined;
  #retryAfterMs: number | undefined;
  #error: string | undefined;
  #over = false;
  #lastHeard = 0;

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    this.#inventory = new InventoryReporter({
      driver: deps.driver,
      logger: deps.logger,
      debounceMs: deps.debounceMs,
      signal: this.#abort.signal,
      send: (message) => this.send(message),
    });
    this.#channel = {
      send: (message) => this.send(message),
      refreshInventory: () => this.#inventory.refresh(),
      logger: deps.logger,
    };
    this.#ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.#socket = new deps.WebSocket(deps.url, {
      headers: { authorization: `Bearer ${deps.credential}` },
      handshakeTimeout: deps.timeoutMs,
      maxPayload: MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
    });
    this.#socket.on('open', () => this.#opened());
    this.#socket.on('message', (data, isBinary) => this.#received(data, isBinary));
    this.#socket.on('ping', () => this.#heard());
    this.#socket.on('unexpected-response', (_request, response) => this.#refused(response));
    this.#socket.on('error', (error) => {
      this.#error = error.message;
    });
    this.#socket.on('close', (code, reason) => this.#closed(code, reason.toString('utf8')));
  }

  /** Settles once the socket has closed and `onEnd` has run. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  /** Sends a message if the socket is open; false otherwise. */
  send(message: AgentMessage): boolean {
    if (this.#socket.readyState !== this.#deps.WebSocket.OPEN) return false;
    this.#socket.send(encodeMessage(message));
    return true;
  }

  /** Closes the connection with a close frame; `onEnd` follows once the server answers or the socket drops. */
  close(code: number, reason: string): void {
    if (this.#socket.readyState === this.#deps.WebSocket.CONNECTING) this.#socket.terminate();
    else this.#socket.close(code, reason);
  }

  /** Drops the connection at once, with no close frame, as a crash or a cut cable would. */
  terminate(): void {
    this.#socket.terminate();
  }

  /** Tells the session that the host changed; a fresh inventory follows within `debounceMs`. */
  inventoryChanged(): void {
    this.#inventory.changed();
  }

  #opened(): void {
    this.#openedAt = Date.now();
    this.#after(this.#deps.timeoutMs, () => {
      this.#deps.logger.warn({ timeoutMs: this.#deps.timeoutMs }, 'no WELCOME from the server');
      this.terminate();
    });
    this.#deps.onOpen();
    this.send({ version: PROTOCOL_VERSION, type: 'HELLO', payload: this.#deps.hello });
  }

  #refused(response: IncomingMessage): void {
    this.#handshakeStatus = response.statusCode;
    this.#retryAfterMs = retryAfterMs(response.headers['retry-after'], Date.now());
    response.resume();
    // With a listener on 'unexpected-response', ws leaves aborting the handshake to us.
    this.#socket.terminate();
  }

  #received(data: WebSocket.RawData, isBinary: boolean): void {
    this.#heard();
    const frame = isBinary ? '' : rawText(data);
    const decoded = decodeServerMessage(frame);
    if (!decoded.ok) {
      this.#deps.logger.warn(
        { code: decoded.code, error: decoded.error },
        'invalid message from the server dropped',
      );
      return;
    }
    this.#dispatch(decoded.message);
  }

  #dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'WELCOME':
        this.#welcome(message.payload);
        break;
      case 'COMMAND':
        this.#deps.commands.onCommand(message.payload, this.#channel);
        break;
      case 'CANCEL':
        this.#deps.commands.onCancel(message.payload, this.#channel);
        break;
      case 'ERROR':
        this.#deps.logger.warn({ ...message.payload }, 'the server reported an error');
        break;
      default:
        assertExhaustive(message);
    }
  }

  #welcome(welcome: WelcomePayload): void {
    // A second WELCOME restarts the schedule with the new intervals.
    this.#clearTimers();
    this.#deps.onWelcome(welcome);
    // Results owed from before go out after the inventory, so the server sees the host they changed first.
    void this.#inventory.start().then(() => {
      if (!this.#over) this.#deps.commands.onReady?.(this.#channel);
    });
    this.#every(welcome.heartbeatIntervalMs, () => this.#sendHeartbeat());
    this.#heard();
    this.#every(Math.max(1, welcome.heartbeatIntervalMs / 2), () =>
      this.#checkSilence(welcome.heartbeatIntervalMs),
    );
    this.#every(welcome.inventoryIntervalMs, () => void this.#inventory.refresh());
  }

  #heard(): void {
    this.#lastHeard = Date.now();
  }

  // The server pings every heartbeat interval. A link that drops packets silently (a firewall, a NAT that forgot
  // the connection) gives no error for many minutes: two intervals without a ping or a message end the session.
  #checkSilence(intervalMs: number): void {
    if (Date.now() - this.#lastHeard <= 2 * intervalMs) return;
    // Judged after the pending I/O: a ping that waited in the socket while this process was busy counts.
    setImmediate(() => {
      const silentMs = Date.now() - this.#lastHeard;
      if (this.#over || silentMs <= 2 * intervalMs) return;
      this.#deps.logger.warn(
        { silentMs, intervalMs },
        'nothing from the server for two ping intervals; reconnecting',
      );
      this.terminate();
    });
  }

  #sendHeartbeat(): void {
    const runningCommandId = this.#deps.commands.runningCommandId?.();
    this.send({
      version: PROTOCOL_VERSION,
      type: 'HEARTBEAT',
      payload: { sentAt: new Date().toISOString(), ...(runningCommandId ? { runningCommandId } : {}) },
    });
  }

  #closed(code: number, reason: string): void {
    if (this.#over) return;
    this.#over = true;
    this.#clearTimers();
    this.#inventory.stop();
    this.#abort.abort();
    const opened = this.#openedAt !== undefined;
    this.#deps.onEnd({
      code,
      reason,
      opened,
      upMs: opened ? Date.now() - (this.#openedAt ?? 0) : 0,
      ...(this.#handshakeStatus === undefined ? {} : { handshakeStatus: this.#handshakeStatus }),
      ...(this.#retryAfterMs === undefined ? {} : { retryAfterMs: this.#retryAfterMs }),
      ...(this.#error === undefined ? {} : { error: this.#error }),
    });
    this.#resolveEnded();
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #every(ms: number, run: () => void): void {
    this.#timers.add(setInterval(run, ms));
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/** The longest Retry-After the agent honours: a wrong header must not silence it for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`, at most an hour; undefined if absent or bad. @internal */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
