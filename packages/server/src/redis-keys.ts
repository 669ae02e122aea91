/** Every Redis key the server uses, under one prefix so that deployments and tests can share a Redis. */
export interface RedisKeys {
  readonly prefix: string;
  /** Set of the lower-cased names of servers that have reported an inventory. */
  readonly servers: string;
  /** Hash: one server's latest report, liveness and agent facts. */
  server(name: string): string;
  /** List: the server's build changes, newest first. */
  history(name: string): string;
  /** Hash: lower-cased server name → its operator's Internet-facing pin (JSON); at most one per server. */
  readonly internetFacingPins: string;
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
  /** Set: lower-cased names of the servers that reported membership of a Windows cluster. */
  cluster(name: string): string;
  /** Sorted set of rollout ids by creation time. */
  readonly rollouts: string;
  /** Hash: a rollout's state, policy and plan. */
  rollout(id: string): string;
  /** Hash: server name → state, for one wave of a rollout. */
  waveStates(id: string, wave: number): string;
  /** Hash: one server's run within a rollout. */
  run(id: string, name: string): string;
  /** Set: command ids of a rollout whose result was applied. */
  doneCommands(id: string): string;
  /** Stream: a rollout's audit events. */
  events(id: string): string;
  /** Hash: a finished rollout's last view and whole trail (`record`, gzipped JSON) and its `summary`, once archived. */
  archive(id: string): string;
  /** String: the per-rollout mutation lock. */
  rolloutLock(id: string): string;
  /** String (JSON): the command outstanding for an agent. */
  agentCommand(name: string): string;
  /** Prefix of the BullMQ queues. */
  readonly queuePrefix: string;
  /** String with a 10 s TTL: written by an instance's readiness check, to prove that Redis takes writes. */
  instanceReady(instance: string): string;
}

/** Builds the key set for a prefix such as `exr:`. */
export function redisKeys(prefix: string): RedisKeys {
  const lower = (name: string) => name.toLowerCase();
  return Object.freeze({
    prefix,
    servers: `${prefix}servers`,
    server: (name: string) => `${prefix}server:${lower(name)}`,
    history: (name: string) => `${prefix}history:${lower(name)}`,
    internetFacingPins: `${prefix}pins:internet-facing`,
    lastSeen: `${prefix}lastseen`,
    instanceReady: (instance: string) => `${prefix}ready:${instance}`,
    archive: (id: string) => `${prefix}archive:${id}`,
    enrolToken: (hash: string) => `${prefix}enrol:${hash}`,
    agent: (name: string) => `${prefix}agent:${lower(name)}`,
    agents: `${prefix}agents`,
    agentCredential: (hash: string) => `${prefix}agentcred:${hash}`,
    operatorToken: (hash: string) => `${prefix}optoken:${hash}`,
    operatorTokenIds: `${prefix}optokens`,
    bus: `${prefix}bus`,
    cluster: (name: string) => `${prefix}cluster:${lower(name)}`,
    rollouts: `${prefix}rollouts`,
    rollout: (id: string) => `${prefix}rollout:${id}`,
    waveStates: (id: string, wave: number) => `${prefix}rollout:${id}:wave:${wave}`,
    run: (id: string, name: string) => `${prefix}rollout:${id}:run:${lower(name)}`,
    doneCommands: (id: string) => `${prefix}rollout:${id}:done`,
    events: (id: string) => `${prefix}rollout:${id}:events`,
    rolloutLock: (id: string) => `${prefix}rollout:${id}:lock`,
    agentCommand: (name: string) => `${prefix}agentcmd:${lower(name)}`,
    queuePrefix: `${prefix}bull`,
  });
}
