/** Every Redis key the server uses, under one prefix so that deployments and tests can share a Redis. */
export interface RedisKeys {
  readonly prefix: string;
  /** Set of the lower-cased names of servers that have reported an inventory. */
  readonly servers: string;
  /** Hash: one server's latest report, liveness and agent facts. */
  server(name: string): string;
  /** List: the server's build changes, newest first. */
  history(name: string): string;
  /** Sorted set: online servers scored by the time they were last heard from (ms). */
  readonly lastSeen: string;
  /** Hash with a TTL: one enrolment token, by its SHA-256. */
  enrolToken(hash: string): string;
  /** Hash: the agent enrolled for a server name. */
  agent(name: string): string;
  /** Set of the lower-cased names of enrolled agents. */
  readonly agents: string;
  /** String: the server name an agent credential (by SHA-256) speaks for. */
  agentCredential(hash: string): string;
  /** Hash: an operator token, by its SHA-256. */
  operatorToken(hash: string): string;
  /** Hash: operator token id → SHA-256, for listing and revoking. */
  readonly operatorTokenIds: string;
  /** Pub/sub channel between server instances. */
  readonly bus: string;
}

/** Builds the key set for a prefix such as `exr:`. */
export function redisKeys(prefix: string): RedisKeys {
  const lower = (name: string) => name.toLowerCase();
  return Object.freeze({
    prefix,
    servers: `${prefix}servers`,
    server: (name: string) => `${prefix}server:${lower(name)}`,
    history: (name: string) => `${prefix}history:${lower(name)}`,
    lastSeen: `${prefix}lastseen`,
    enrolToken: (hash: string) => `${prefix}enrol:${hash}`,
    agent: (name: string) => `${prefix}agent:${lower(name)}`,
    agents: `${prefix}agents`,
    agentCredential: (hash: string) => `${prefix}agentcred:${hash}`,
    operatorToken: (hash: string) => `${prefix}optoken:${hash}`,
    operatorTokenIds: `${prefix}optokens`,
    bus: `${prefix}bus`,
  });
}
