import { EventEmitter } from 'node:events';
import {
  AGENT_VERSION,
  AgentClient,
  type AgentClientEvents,
  type AgentClientOptions,
  type AgentClientState,
  type ClientError,
  MemoryJournal,
  type SimulatedDriver,
  StepExecutor,
} from '@exrollout/agent';

/** Client settings every agent of a fleet shares. */
export type SharedClientOptions = Pick<
  AgentClientOptions,
  'logger' | 'reconnect' | 'timeoutMs' | 'stableAfterMs' | 'inventoryDebounceMs' | 'WebSocket'
>;

/** How the first connection attempt after `connect()` turned out. */
export type ConnectOutcome = 'ready' | 'retrying' | 'failed' | 'stopped';

/** Where an agent of the fleet is: its client's state, or `not-enrolled` before it has a credential. */
export type FleetAgentState = AgentClientState | 'not-enrolled';

/** How long a simulated Windows restart keeps an agent away, in milliseconds. */
export const DEFAULT_REBOOT_MS = 2000;

/**
 * One simulated agent of a fleet: a simulated Exchange server (kept for the life of the fleet, like the real
 * host), the StepExecutor and in-memory journal that run its commands (kept as long as the agent), and the
 * AgentClient that speaks for it, which can be stopped, killed and started again. Re-emits the events of
 * whichever client is current.
 */
export class FleetAgent extends EventEmitter<AgentClientEvents> {
  readonly #shared: SharedClientOptions;
  readonly #rebootMs: number;
  readonly #unfollow: () => void;
  /** Where the agent remembers its commands; it outlives every client, as a journal on disk would. */
  readonly journal = new MemoryJournal();
  /** Runs the commands the server sends; one for the agent's life, so a step survives its client. */
  readonly executor: StepExecutor;
  #credential: string | undefined;
  #serverUrl: string | undefined;
  #client: AgentClient | undefined;
  #restart: NodeJS.Timeout | undefined;
  #connections = 0;
  #fatal: ClientError | undefined;
  #wanted = false;

  constructor(
    readonly driver: SimulatedDriver,
    shared: SharedClientOptions,
    rebootMs = DEFAULT_REBOOT_MS,
  ) {
    super();
    this.#shared = shared;
    this.#rebootMs = rebootMs;
    this.executor = new StepExecutor({ driver, journal: this.journal, logger: shared.logger });
    this.on('connected', () => {
      this.#connections += 1;
    });
    this.on('fatal', (error) => {
      this.#fatal = error;
    });
    this.#unfollow = this.#followHost();
  }

  /** The simulated server's NetBIOS name, which is also the agent's. */
  get name(): string {
    return this.driver.name;
  }

  /** Where the agent is now. */
  get state(): FleetAgentState {
    if (this.#credential === undefined) return 'not-enrolled';
    return this.#client?.state ?? 'idle';
  }

  /** The server URL the agent connects (or last connected) to. */
  get serverUrl(): string | undefined {
    return this.#serverUrl;
  }

  /** How many times a connection opened, over the agent's life. */
  get connections(): number {
    return this.#connections;
  }

  /** Why the server refused the agent for good, if it did. */
  get fatal(): ClientError | undefined {
    return this.#fatal;
  }

  /** Gives the agent the credential it enrolled with, for the server it enrolled at. */
  setCredential(serverUrl: string, credential: string): void {
    this.#serverUrl = serverUrl;
    this.#credential = credential;
  }

  /** Starts a fresh client (towards `serverUrl` if given); resolves with how its first attempt went. */
  async connect(serverUrl?: string): Promise<ConnectOutcome> {
    await this.#client?.stop();
    clearTimeout(this.#restart);
    const credential = this.#credential;
    const url = serverUrl ?? this.#serverUrl;
    if (credential === undefined || url === undefined)
      throw new Error(`${this.name} cannot connect before it has enrolled`);
    this.#serverUrl = url;
    this.#fatal = undefined;
    this.#wanted = true;
    const client = new AgentClient({
      ...this.#shared,
      serverUrl: url,
      credential,
      name: this.name,
      driver: this.driver,
      agentVersion: AGENT_VERSION,
      commandHandler: this.executor,
    });
    this.#forwardEvents(client);
    this.#client = client;
    const outcome = firstOutcome(client);
    client.start();
    return outcome;
  }

  /** Closes the connection gracefully (1000); the agent stays away until `connect` or `reconnect`. */
  async disconnect(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#restart);
    await this.#client?.stop();
  }

  /** Drops the connection without a close frame, as a crashed agent would; it stays away until told. */
  async kill(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#restart);
    await this.#client?.kill();
  }

  /** Cuts the connection without a close frame, as a network fault would; the agent reconnects by itself. */
  drop(): void {
    this.#client?.drop();
  }

  /** Disconnects, then connects again, to another server URL if given. */
  async reconnect(options: { readonly serverUrl?: string } = {}): Promise<ConnectOutcome> {
    return this.connect(options.serverUrl);
  }

  /** Stops for good: disconnects, stops following the simulated host, and aborts a running step. */
  async dispose(): Promise<void> {
    this.#unfollow();
    await this.disconnect();
    // A simulated step on the wall clock holds a timer; the fleet promises none is left after stop().
    await this.executor.cancelRunning('the fleet simulator is stopping');
  }

  #forwardEvents(client: AgentClient): void {
    client.on('connected', () => this.emit('connected'));
    client.on('welcome', (welcome) => this.emit('welcome', welcome));
    client.on('disconnected', (info) => this.emit('disconnected', info));
    client.on('reconnecting', (info) => this.emit('reconnecting', info));
    client.on('fatal', (error) => this.emit('fatal', error));
    client.on('stopped', () => this.emit('stopped'));
  }

  // A simulated host can lose its network or restart mid-install; the agent must live through both.
  #followHost(): () => void {
    const offDisconnect = this.driver.events.on('disconnect', () => this.drop());
    const offReboot = this.driver.events.on('reboot', () => {
      void this.#client?.kill().then(() => {
        if (this.#wanted) this.#restart = setTimeout(() => void this.connect(), this.#rebootMs);
      });
    });
    return () => {
      offDisconnect();
      offReboot();
    };
  }
}

function firstOutcome(client: AgentClient): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const ready = () => settle('ready');
    const retrying = () => settle('retrying');
    const failed = () => settle('failed');
    const stopped = () => settle('stopped');
    const settle = (outcome: ConnectOutcome) => {
      client.off('welcome', ready).off('reconnecting', retrying).off('fatal', failed).off('stopped', stopped);
      resolve(outcome);
    };
    client.on('welcome', ready).on('reconnecting', retrying).on('fatal', failed).on('stopped', stopped);
  });
}
