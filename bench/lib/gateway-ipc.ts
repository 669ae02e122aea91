// The messages between the gateway bench and its child processes (load generators, the bare ws server).

/** One simulated agent as a load generator speaks for it: its credential and its encoded frames. */
export interface AgentSpec {
  readonly name: string;
  readonly credential: string;
  readonly hello: string;
  readonly inventory: string;
}

/** What a generator sends in the sustained phase. */
export type FrameKind = 'inventory' | 'heartbeat';

/** Bench to load generator. */
export type ToGenerator =
  /** The agents this generator speaks for; answered with `ready`. */
  | {
      readonly type: 'agents';
      readonly url: string;
      readonly agents: readonly AgentSpec[];
      readonly concurrency: number;
    }
  /** Open every agent's connection (at most `concurrency` not yet welcomed at once): HELLO, then INVENTORY. */
  | { readonly type: 'connect' }
  /** Sustained phase: send `kind` frames round-robin over the open connections. */
  | { readonly type: 'run'; readonly kind: FrameKind; readonly heartbeat: string }
  /** Send until this many frames went out since `run` (the bench's window over what the server processed). */
  | { readonly type: 'credit'; readonly cap: number }
  /** Stop sending; answer with `stopped`. */
  | { readonly type: 'stop' };

/** What a generator saw go wrong, sent with every report. */
export interface GeneratorHealth {
  /** ERROR messages the server sent. */
  readonly serverErrors: number;
  /** Connections that closed or failed. */
  readonly closed: number;
  readonly lastError?: string;
}

/** Load generator to bench. */
export type FromGenerator =
  | { readonly type: 'ready' }
  | ({ readonly type: 'connected'; readonly welcomed: number; readonly failed: number } & GeneratorHealth)
  | ({ readonly type: 'stopped'; readonly sent: number } & GeneratorHealth);

/** Messages the bare server parsed, by `type`. */
export type BareCounts = Readonly<Record<string, number>>;

/** Bare server to bench: its address, then its counts whenever they changed (at most every 10 ms). */
export type FromBare =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'counts'; readonly counts: BareCounts };
