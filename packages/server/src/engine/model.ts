import type {
  PlanStep,
  RolloutPlan,
  RolloutPolicy,
  RolloutState,
  ServerState,
  StepDetails,
  WaveName,
} from '@exrollout/core';

/** A rollout's own record: what was asked for, the plan it keeps, and where it is. */
export interface RolloutMeta {
  readonly id: string;
  readonly update: string;
  readonly state: RolloutState;
  readonly policy: RolloutPolicy;
  readonly plan: RolloutPlan;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly currentWave: number;
  readonly approvedWave: number;
  readonly previousWaveCompletedAt?: string;
  /** Why it halted, was aborted, or is held (soak, window). */
  readonly reason?: string;
  readonly failed: number;
  readonly updatedAt: string;
  /** A rollout, or the rollback of (part of) one. @default rollout */
  readonly kind?: 'rollout' | 'rollback';
  /** For a rollback: the rollout it undoes. */
  readonly parentId?: string;
  /** For a rollout: its rollback in progress (or the last one). */
  readonly rollbackId?: string;
  /** For a rollout being rolled back: the state to return to when only part of it was rolled back. */
  readonly stateBeforeRollback?: RolloutState;
  /** For a rollback: `all`, `wave:<name>` or `server:<name>`. */
  readonly scope?: string;
  /** Staging ahead of the waves: the next server of the plan to consider, and how many stage now. */
  readonly staging?: { readonly cursor: number; readonly inFlight: number };
}

/** One server's run within a rollout. */
export interface ServerRun {
  readonly name: string;
  readonly wave: number;
  readonly waveName: WaveName;
  readonly cluster?: string;
  readonly steps: readonly PlanStep[];
  readonly fromBuild: string;
  /** The build a rollback returns to (the one recorded before the install); absent for an update. */
  readonly targetBuild?: string;
  /** Set when verification failed and the policy rolls the server back by itself. */
  readonly autoRollback?: boolean;
  readonly state: ServerState;
  readonly stepIndex: number;
  readonly attempt: number;
  readonly commandId?: string;
  readonly commandSentAt?: string;
  readonly acked?: boolean;
  readonly toBuild?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly progress?: { readonly message: string; readonly percent?: number };
  /** An install or uninstall of this run asked for a restart (msiexec 3010 or 1641) that has not happened yet. */
  readonly restartPending?: boolean;
  /** How many times the current step was sent again after msiexec answered 1618 (another installation). */
  readonly stepRetries?: number;
  /** Set while the current step waits to be sent: for a maintenance window, or before an install retry. */
  readonly waiting?: { readonly reason: string; readonly until: string };
  /** Its stage step runs ahead of its wave (policy stageAhead); it goes back to pending once staged. */
  readonly aheadStaging?: boolean;
  /** What its stage step did, once it succeeded. */
  readonly staged?: StepDetails['staged'];
  /** The package's size, while its stage step runs. */
  readonly stageBytes?: number;
  /**
   * Set while a verify step that succeeded waits for an inventory report of its agent collected after it, to
   * confirm the build: since when (server time), and when the step finished (the agent's clock).
   */
  readonly confirming?: { readonly since: string; readonly verifiedAt?: string };
}

/** The command outstanding for one agent, kept until its result is applied. */
export interface OutstandingCommand {
  readonly rolloutId: string;
  readonly commandId: string;
  readonly server: string;
  readonly step: PlanStep;
  readonly args: Record<string, unknown>;
}

/** One audit event: who did what, when, and why. */
export interface RolloutEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly type: string;
  readonly message: string;
  readonly server?: string;
  readonly data?: Record<string, unknown>;
}
