import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { HostDriver } from '../drivers/types.js';
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { type CommandHandler, LoggingCommandHandler } from './command-handler.js';
import { ClientError } from './errors.js';
import type { AgentLogger } from './logger.js';
import { Session, type SessionEnd, type WelcomePayload } from './session.js';
import { gatewayUrl } from './url.js';
import { subscribeToChanges } from './watch.js';

/** Everything an AgentClient needs; checked once by the constructor. */
export interface AgentClientOptions {
  /** The server's URL (http or https); the gateway is `/agent/v1` on the same host over ws or wss. */
  readonly serverUrl: string;
  /** The secret received at enrolment. */
  readonly credential: string;
  /** The NetBIOS name the agent enrolled as, sent in HELLO. */
  readonly name: string;
  /** The host driver that reads (and later patches) the server. */
  readonly driver: HostDriver;
  /** Where the client logs; it makes a child logger with `{ component: 'agent-client' }`. */
  readonly logger: AgentLogger;
  /** This agent's version, sent in HELLO. */
  readonly agentVersion: string;
  /** PowerShell driver mode, sent in HELLO. */
  readonly mode?: 'local' | 'remote';
  /** Reconnect delay bounds. @default { baseMs: 500, maxMs: 30000 } */
  readonly reconnect?: Partial<BackoffOptions>;
  /** A connection that stayed up longer than this resets the backoff, in milliseconds. @default 10000 */
  readonly stableAfterMs?: number;
  /** Driver changes within this window are sent as one inventory, in milliseconds. @default 1000 */
  readonly inventoryDebounceMs?: number;
  /** Longest wait for the upgrade and then for WELCOME, in milliseconds. @default 15000 */
  readonly timeoutMs?: number;
  /** Receives COMMAND and CANCEL (a StepExecutor runs them). @default a handler that logs and runs nothing */
  readonly commandHandler?: CommandHandler;
  /** The WebSocket class. @default ws */
  readonly WebSocket?: typeof WebSocket;
  /** Random source in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
}

/** Where a client is in its life. */
export type AgentClientState =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'ready'
  | 'waiting'
  | 'stopped'
  | 'failed';

/** How a connection that had opened ended, and what comes next. */
export interface DisconnectInfo {
  readonly code: number;
  readonly reason: string;
  /** Whether the client will connect again (after a `reconnecting` event). */
  readonly willReconnect: boolean;
}

/** The events of an AgentClient, with their arguments. */
export interface AgentClientEvents {
  /** The socket opened and HELLO went out. */
  connected: [];
  /** The server answered HELLO; inventory and heartbeats follow. */
  welcome: [welcome: WelcomePayload];
  /** A connection that had opened has ended. */
  disconnected: [info: DisconnectInfo];
  /** The next attempt starts in `delayMs`; `attempt` counts from 1 since the last stable connection. */
  reconnecting: [info: { readonly delayMs: number; readonly attempt: number; readonly error?: string }];
  /** The credential was refused or revoked: the client has stopped for good and will not reconnect. */
  fatal: [error: ClientError];
  /** stop() or kill() has finished: the socket is closed and no timer is left. */
  stopped: [];
}

/**
 * Keeps one agent connected to the gateway: enrolled credential in, HELLO, inventory and heartbeats out,
 * reconnecting with exponential backoff and full jitter until stopped or refused.
 */
export class AgentClient extends EventEmitter<AgentClientEvents> {
  readonly #options: AgentClientOptions;
  readonly #url: string;
  readonly #logger: AgentLogger;
  readonly #backoff: Backoff;
  readonly #commands: CommandHandler;
  #state: AgentClientState = 'idle';
  #session: Session | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: AgentClientOptions) {
    super();
    this.#options = options;
    this.#url = gatewayUrl(options.serverUrl);
    this.#logger = options.logger.child({ component: 'agent-client', agent: options.name });
    this.#backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.reconnect }, options.random);
    this.#commands = options.commandHandler ?? new LoggingCommandHandler();
  }

  /** Where the client is now. */
  get state(): AgentClientState {
    return this.#state;
  }

  /** The gateway URL it connects to. */
  get url(): string {
    return this.#url;
  }

  /** Starts connecting; does nothing if already started. A stopped client may be started again. */
  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'stopped') return;
    this.#backoff.reset();
    this.#unsubscribe = subscribeToChanges(this.#options.driver, () => this.#session?.inventoryChanged());
    this.#connect();
  }

  /** Closes the connection gracefully (close code 1000) and stops; resolves once the socket is closed. */
  async stop(): Promise<void> {
    await this.#halt((session) => session.close(1000, 'agent stopping'));
  }

  /** Drops the connection abruptly (no close frame) and stops, as a crashed process would. */
  async kill(): Promise<void> {
    await this.#halt((session) => session.terminate());
  }

  /** Drops the connection abruptly, as a network cut would; the client reconnects as usual. */
  drop(): void {
    this.#session?.terminate();
  }

  async #halt(end: (session: Session) => void): Promise<void> {
    if (this.#state === 'failed') return;
    const wasRunning = this.#state !== 'stopped' && this.#state !== 'idle';
    this.#state = 'stopped';
    this.#release();
    const session = this.#session;
    if (session) {
      end(session);
      // A server that never answers the close frame must not hold the stop forever.
      const deadline = setTimeout(() => session.terminate(), 3000);
      await session.ended;
      clearTimeout(deadline);
    }
    if (wasRunning) this.emit('stopped');
  }

  #connect(): void {
    this.#retryTimer = undefined;
    this.#state = 'connecting';
    const { name, agentVersion, driver, mode } = this.#options;
    const session: Session = new Session({
      url: this.#url,
      credential: this.#options.credential,
      hello: { name, agentVersion, driver: driver.kind, ...(mode ? { mode } : {}) },
      driver,
      commands: this.#commands,
      logger: this.#logger,
      WebSocket: this.#options.WebSocket ?? WebSocket,
      debounceMs: this.#options.inventoryDebounceMs ?? 1000,
      timeoutMs: this.#options.timeoutMs ?? 15_000,
      onOpen: () => this.#opened(),
      onWelcome: (welcome) => this.#welcomed(welcome),
      // A session stopped and replaced by a restart must not touch its successor.
      onEnd: (end) => {
        if (this.#session === session) this.#ended(end);
      },
    });
    this.#session = session;
  }

  #opened(): void {
    if (this.#state === 'connecting') this.#state = 'connected';
    this.#logger.info({ url: this.#url }, 'connected to the gateway');
    this.emit('connected');
  }

  #welcomed(welcome: WelcomePayload): void {
    if (this.#state === 'connected') this.#state = 'ready';
    this.#logger.debug({ ...welcome }, 'welcomed by the server');
    this.emit('welcome', welcome);
  }

  #ended(end: SessionEnd): void {
    this.#session = undefined;
    const fatal = this.#state === 'stopped' ? undefined : fatalError(end);
    const willReconnect = this.#state !== 'stopped' && fatal === undefined;
    if (end.opened) {
      this.#logger.info({ code: end.code, reason: end.reason, willReconnect }, 'disconnected');
      this.emit('disconnected', { code: end.code, reason: end.reason, willReconnect });
    }
    if (fatal) this.#fail(fatal);
    else if (willReconnect) this.#scheduleReconnect(end);
  }

  #scheduleReconnect(end: SessionEnd): void {
    if (end.upMs > (this.#options.stableAfterMs ?? 10_000)) this.#backoff.reset();
    // A refusal that says when to come back (429 from the login limiter) is honoured; the jitter still spreads
    // the agents it refused together.
    const delayMs = (end.retryAfterMs ?? 0) + this.#backoff.next();
    const attempt = this.#backoff.attempt;
    const error = end.error ?? (end.handshakeStatus ? `HTTP ${end.handshakeStatus}` : undefined);
    this.#state = 'waiting';
    this.#logger.debug({ delayMs, attempt, code: end.code, error }, 'reconnecting');
    this.emit('reconnecting', { delayMs, attempt, ...(error ? { error } : {}) });
    this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #fail(error: ClientError): void {
    this.#state = 'failed';
    this.#release();
    this.#logger.error({ code: error.code }, error.message);
    this.emit('fatal', error);
  }

  #release(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}

/** The close codes the gateway uses; see docs/agent.md. */
export const CLOSE_CODES = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_VIOLATION: 4002,
  NAME_MISMATCH: 4003,
  CREDENTIAL_REVOKED: 4004,
  SUPERSEDED: 4005,
});

function fatalError(end: SessionEnd): ClientError | undefined {
  if (end.handshakeStatus === 401)
    return new ClientError('AGENT_ERR_CREDENTIAL_REFUSED', 'credential refused: re-enrol with --enrol TOKEN');
  if (end.code === CLOSE_CODES.CREDENTIAL_REVOKED)
    return new ClientError(
      'AGENT_ERR_CREDENTIAL_REVOKED',
      `credential revoked by the server${end.reason ? ` (${end.reason})` : ''}: re-enrol with --enrol TOKEN`,
    );
  return undefined;
}
