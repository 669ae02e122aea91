import type { RolloutPlan, ServerState, UpdateRollup } from '@exrollout/core';
import type { ServerRecord } from '../stores/inventory-store.js';
import type { JobData, JobName } from './jobs.js';
import type { OutstandingCommand, RolloutEvent, RolloutMeta, ServerRun } from './model.js';
import type { RolloutChanges } from './store.js';

/** A job to add once the changes are committed. */
export interface PendingJob<Name extends JobName = JobName> {
  readonly name: Name;
  readonly data: JobData<Name>;
  readonly jobId: string;
  readonly delayMs: number;
}

/** A message for an agent, to publish once the changes are committed. */
export type Delivery =
  | { readonly kind: 'command'; readonly command: OutstandingCommand }
  | { readonly kind: 'cancel'; readonly server: string; readonly commandId: string; readonly reason: string };

/** One locked unit of work on a rollout: what it read, what it changed, and what to do after committing. */
export class Work {
  readonly runs = new Map<string, ServerRun>();
  readonly events: Omit<RolloutEvent, 'id'>[] = [];
  readonly agentCommands: { server: string; command: OutstandingCommand | null }[] = [];
  readonly deliveries: Delivery[] = [];
  readonly jobs: PendingJob[] = [];
  /** Runs and live inventory records read ahead for this work (lower-cased names; undefined: none). */
  readonly readAhead = {
    runs: new Map<string, ServerRun | undefined>(),
    records: new Map<string, ServerRecord | undefined>(),
  };
  /** Commands whose results this work applied (or gave up on). */
  readonly doneCommands: string[] = [];
  private metaChanged = false;

  constructor(
    public meta: Omit<RolloutMeta, 'plan'>,
    readonly plan: RolloutPlan,
    readonly update: UpdateRollup,
    readonly now: Date,
    private readonly waveStateCache: Map<number, Map<string, ServerState>>,
  ) {}

  /** Changes the rollout record. */
  setMeta(changes: Partial<Omit<RolloutMeta, 'plan'>>): void {
    this.meta = { ...this.meta, ...changes };
    this.metaChanged = true;
  }

  /** Records a changed run (and its state in the wave index). */
  setRun(run: ServerRun): void {
    this.runs.set(run.name.toLowerCase(), run);
    this.waveStateCache.get(run.wave)?.set(run.name.toLowerCase(), run.state);
  }

  /** Adds an audit event. */
  event(actor: string, type: string, message: string, server?: string, data?: Record<string, unknown>): void {
    this.events.push({
      at: this.now.toISOString(),
      actor,
      type,
      message,
      ...(server ? { server } : {}),
      ...(data ? { data } : {}),
    });
  }

  /** Queues a job to add after the commit. */
  job<Name extends JobName>(name: Name, data: JobData<Name>, jobId: string, delayMs = 0): void {
    this.jobs.push({ name, data, jobId, delayMs } as PendingJob);
  }

  /** The state index of a wave as this work sees it, if loaded. */
  waveStates(wave: number): Map<string, ServerState> | undefined {
    return this.waveStateCache.get(wave);
  }

  /** Keeps a wave's state index loaded from Redis, so later changes in this work update it. */
  rememberWaveStates(wave: number, states: Map<string, ServerState>): void {
    // Runs this work changed are not in Redis yet: they win over what was loaded.
    for (const [name, run] of this.runs) if (run.wave === wave) states.set(name, run.state);
    this.waveStateCache.set(wave, states);
  }

  /** A run as this work last saw it, if it changed it. */
  changedRun(name: string): ServerRun | undefined {
    return this.runs.get(name.toLowerCase());
  }

  /** Everything to commit in one MULTI. */
  changes(): RolloutChanges {
    const {
      id: _id,
      update: _update,
      policy: _policy,
      createdAt: _createdAt,
      createdBy: _createdBy,
      ...meta
    } = this.meta;
    return {
      ...(this.metaChanged ? { meta } : {}),
      runs: [...this.runs.values()],
      events: this.events,
      doneCommands: this.doneCommands,
      agentCommands: this.agentCommands,
    };
  }
}
