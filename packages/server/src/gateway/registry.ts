/** What the registry needs of a live agent connection. */
export interface RegisteredConnection {
  readonly name: string;
  readonly session: string;
  readonly credentialHash: string;
  close(code: number, reason: string): void;
}

/** The agent connections held by this instance, one per server name. */
export class ConnectionRegistry<Connection extends RegisteredConnection = RegisteredConnection> {
  private readonly byName = new Map<string, Connection>();
  private readonly closing = new Set<Promise<void>>();

  /** Tracks what a closed connection still does (its offline bookkeeping) until it settles. */
  trackClosing(done: Promise<void>): void {
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
  }

  /**
   * Resolves once every closed connection's bookkeeping settled, or after `timeoutMs`: the server waits for it
   * before it lets go of Redis, so that an agent that dropped just before the shutdown is written down, not lost
   * to a closed connection.
   */
  async closed(timeoutMs: number): Promise<void> {
    if (this.closing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.closing]), bound]);
    clearTimeout(timer);
  }

  /** Adds a connection; an older connection of the same agent on this instance is closed as superseded. */
  add(connection: Connection): void {
    const key = connection.name.toLowerCase();
    const previous = this.byName.get(key);
    this.byName.set(key, connection);
    if (previous && previous !== connection) previous.close(4005, 'superseded by a newer connection');
  }

  /** Removes a connection if it is still the registered one. */
  remove(connection: Connection): void {
    const key = connection.name.toLowerCase();
    if (this.byName.get(key) === connection) this.byName.delete(key);
  }

  /** The connection of a server name on this instance. */
  get(name: string): Connection | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** How many agents this instance holds. */
  get size(): number {
    return this.byName.size;
  }

  /** Every connection, for shutdown. */
  all(): Connection[] {
    return [...this.byName.values()];
  }
}
