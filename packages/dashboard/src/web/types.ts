import type {
  ComplianceStatus,
  ExchangeRole,
  OperatorRole,
  PlanStep,
  RolloutPlan,
  RolloutState,
  ServerState,
  WaveName,
  WaveState,
} from '@exrollout/core';

/** The calling operator token, from GET /api/v1/me. */
export interface Me {
  readonly id: string;
  readonly name: string;
  readonly role: OperatorRole;
}

/** A server as GET /api/v1/servers shows it. */
export interface ServerView {
  readonly name: string;
  readonly fqdn?: string;
  readonly site?: string;
  readonly build: string;
  readonly rollup: string | null;
  readonly roles: readonly ExchangeRole[];
  readonly internetFacing?: boolean;
  readonly cluster?: { type: string; name: string; role: string; cms?: string };
  readonly interimUpdates?: readonly string[];
  readonly owaCustomized?: boolean;
  readonly online: boolean;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly compliance: { update: string; status: ComplianceStatus; code?: string; reason?: string };
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
  readonly state: ServerState;
  readonly fromBuild: string;
  readonly toBuild: string | null;
  readonly step: PlanStep | null;
  readonly steps: readonly PlanStep[];
  readonly attempt: number;
  readonly cluster?: string;
  readonly error: { code: string; message: string } | null;
  readonly progress?: { message: string; percent?: number };
  /** The package's staging: under way (its stage step runs) or done, in bytes of the package. */
  readonly staging?: {
    readonly state: 'staging' | 'staged';
    readonly bytes: number;
    readonly total: number;
    readonly percent: number;
    readonly resumedFrom?: number;
    readonly skipped?: boolean;
  };
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
  readonly state: RolloutState;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly currentWave: number;
  readonly policy: Record<string, unknown>;
  readonly counts: Record<string, number>;
  // A wave's state is also `awaiting-approval` in the API (engine/views.ts), beyond core's WAVE_STATES.
  readonly waves: readonly {
    name: WaveName;
    state: WaveState | 'awaiting-approval';
    servers: readonly ServerRun[];
  }[];
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

/** The planner's RolloutPlan, from POST /api/v1/plans: core's own type. */
export type Plan = RolloutPlan;
