/** The calling operator token, from GET /api/v1/me. */
export interface Me {
  readonly id: string;
  readonly name: string;
  readonly role: string;
}

/** A server as GET /api/v1/servers shows it. */
export interface ServerView {
  readonly name: string;
  readonly fqdn?: string;
  readonly site?: string;
  readonly build: string;
  readonly rollup: string | null;
  readonly roles: readonly string[];
  readonly internetFacing?: boolean;
  readonly cluster?: { type: string; name: string; role: string; cms?: string };
  readonly interimUpdates?: readonly string[];
  readonly owaCustomized?: boolean;
  readonly online: boolean;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly compliance: { update: string; status: string; code?: string; reason?: string };
}

/** One server with host facts, agent and build history, from GET /api/v1/servers/:name. */
export interface ServerDetail extends ServerView {
  readonly host: Record<string, unknown>;
  readonly collectedAt: string;
  readonly agent: Record<string, string>;
  readonly history: readonly { at: string; from: string | null; to: string }[];
}

/** A server left out of a plan, with the planner's code and reason. */
export interface LeftOut {
  readonly name: string;
  readonly code: string;
  readonly reason: string;
}

/** A server within a rollout. */
export interface ServerRun {
  readonly name: string;
  readonly state: string;
  readonly fromBuild: string;
  readonly toBuild: string | null;
  readonly step: string | null;
  readonly steps: readonly string[];
  readonly attempt: number;
  readonly cluster?: string;
  readonly error: { code: string; message: string } | null;
  readonly progress?: { message: string; percent?: number };
}

/** Failed servers of one error code, with what to do next. */
export interface FailureGroup {
  readonly code: string;
  readonly count: number;
  readonly servers: readonly string[];
  readonly next: string;
}

/** A rollout as GET /api/v1/rollouts/:id shows it (the list omits `waves`). */
export interface Rollout {
  readonly id: string;
  readonly update: string;
  readonly state: string;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly currentWave: number;
  readonly policy: Record<string, unknown>;
  readonly counts: Record<string, number>;
  readonly waves: readonly { name: string; state: string; servers: readonly ServerRun[] }[];
  readonly kind: 'rollout' | 'rollback';
  readonly parentId?: string;
  readonly rollbackId?: string;
  readonly scope?: string;
  /** Failed servers grouped by error code, each with the next step; empty when none failed. */
  readonly failures: readonly FailureGroup[];
  readonly skipped: readonly LeftOut[];
  readonly excluded: readonly LeftOut[];
}

/** An audit event of a rollout. */
export interface RolloutEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly type: string;
  readonly message: string;
  readonly server?: string;
}

/** A page of a rollout's audit trail, from GET /api/v1/rollouts/:id/events. */
export interface EventsPage {
  readonly events: readonly RolloutEvent[];
  /** Pass as `after` for the next page; null at the end of the trail. */
  readonly next: string | null;
  readonly total: number;
  readonly dropped: number;
}

/** A planned server of a plan preview. */
export interface PlannedServer {
  readonly name: string;
  readonly from: string;
  readonly steps: readonly string[];
  readonly cluster?: string;
}

/** The planner's RolloutPlan, from POST /api/v1/plans. */
export interface Plan {
  readonly update: { kb: string; build: string };
  readonly waves: readonly { name: string; servers: readonly PlannedServer[] }[];
  readonly skipped: readonly LeftOut[];
  readonly excluded: readonly LeftOut[];
}
