// The parts of the API's JSON that the CLI's tables read; --json prints the whole answer unchanged.
import type { InternetFacingPin } from '@exrollout/core';

/** A server as GET /api/v1/servers shows it. */
export interface ServerView {
  name: string;
  site?: string;
  build: string;
  rollup: string | null;
  roles: string[];
  /** As the planner sees it: the pin's value when pinned, else the agent's report. */
  internetFacing?: boolean;
  internetFacingPin?: InternetFacingPin;
  /** When pinned: what the agent reports. */
  reportedInternetFacing?: boolean;
  cluster?: { type: string; name: string; role: string; cms?: string };
  interimUpdates?: string[];
  owaCustomized?: boolean;
  online: boolean;
  firstSeen: string;
  lastSeen: string;
  compliance: { update: string; status: string; code?: string; reason?: string };
}

/** One server in detail, as GET /api/v1/servers/:name shows it. */
export interface ServerDetail extends ServerView {
  fqdn?: string;
  host: Record<string, unknown>;
  collectedAt: string;
  agent: Record<string, string>;
  history: { at: string; from: string | null; to: string }[];
}

/** An entry of the compliance report. */
export interface ComplianceEntry {
  name: string;
  build: string;
  code?: string;
  reason?: string;
}

/** GET /api/v1/compliance. */
export interface ComplianceReport {
  update: { id: string; kb: string; build: string };
  counts: { total: number; current: number; needsUpdate: number; excluded: number };
  current: ComplianceEntry[];
  needsUpdate: ComplianceEntry[];
  excluded: ComplianceEntry[];
}

/** A server within a rollout. */
export interface ServerRunView {
  name: string;
  state: string;
  fromBuild: string;
  toBuild: string | null;
  step: string | null;
  steps: string[];
  attempt: number;
  cluster?: string;
  error: { code: string; message: string } | null;
  progress?: { message: string; percent?: number };
  /** The package's staging: under way or done. */
  staging?: { state: 'staging' | 'staged'; bytes: number; total: number; percent: number; skipped?: boolean };
}

/** A wave within a rollout. */
export interface WaveView {
  name: string;
  state: string;
  servers: ServerRunView[];
}

/** A rollout without its waves, as GET /api/v1/rollouts lists it. */
export interface RolloutSummary {
  id: string;
  update: string;
  state: string;
  reason: string | null;
  createdAt: string;
  createdBy: string;
  currentWave: number;
  counts: Record<string, number>;
  kind: string;
  parentId?: string;
  rollbackId?: string;
  scope?: string;
  /** Failed servers grouped by error code, each with the next step; empty when none failed. */
  failures: { code: string; count: number; servers: string[]; next: string }[];
  skipped: { name: string; code: string; reason: string }[];
  excluded: { name: string; code: string; reason: string }[];
}

/** A rollout, as GET /api/v1/rollouts/:id returns it. */
export interface RolloutView extends RolloutSummary {
  waves: WaveView[];
}

/** An entry of a rollout's audit trail. */
export interface RolloutEvent {
  id: string;
  at: string;
  actor: string;
  type: string;
  message: string;
  server?: string;
}

/** A page of a rollout's audit trail, as GET /api/v1/rollouts/:id/events returns it. */
export interface EventsPage {
  events: RolloutEvent[];
  /** Pass as `after` for the next page; null at the end of the trail. */
  next: string | null;
  /** Events in the whole trail, dropped ones included. */
  total: number;
  /** The oldest events the server's bound on a trail dropped. */
  dropped: number;
}
