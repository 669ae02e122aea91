import type { PlanStep, StepArgs, StepDetails } from '@exrollout/core';
import { DriverError } from '../../errors.js';
import type { HostDriver, HostSnapshot, StepContext } from '../types.js';
import { realClock, type SimulatedClock } from './clock.js';
import type { SimulatedCluster } from './cluster.js';
import type { SimulatedClusterEvents, SimulatedEventSource, SimulatedHostEvents } from './events.js';
import { HostModel } from './host-model.js';
import { parseSimulatedHost } from './parse.js';
import { StepRun } from './run.js';
import type { SimulatedFailure, SimulatedHost } from './schema.js';
import type { SimulatedState } from './state.js';
import { STEP_HANDLERS, type StepHandlers } from './steps/table.js';

/** What a simulated driver needs besides the description of its server. */
export interface SimulatedDriverOptions {
  /** How time passes. @default realClock */
  readonly clock?: SimulatedClock;
  /** The cluster this node belongs to, shared with the drivers of its other nodes in this process. */
  readonly cluster?: SimulatedCluster;
  /** Names the description in error messages, e.g. `scenario.json hosts[3]`. @default 'simulated host' */
  readonly source?: string;
}

/**
 * A simulated Exchange 2007 server behind the HostDriver interface: it keeps a build, roles, cluster role,
 * interim updates and OWA files, runs every step with the durations and failure modes its description gives,
 * and is the host itself, so keep it across restarts of the agent that drives it.
 */
export class SimulatedDriver implements HostDriver {
  readonly kind = 'simulated' as const;
  readonly #host: HostModel;
  readonly #clock: SimulatedClock;
  readonly #runs = new Map<PlanStep, number>();
  #running: string | undefined;

  /** Checks the description (throws SimulatedHostError) and joins `options.cluster` (throws DriverError). */
  constructor(description: SimulatedHost, options: SimulatedDriverOptions = {}) {
    this.#host = new HostModel(parseSimulatedHost(description, options.source), options.cluster);
    this.#clock = options.clock ?? realClock;
    options.cluster?.join(this.#host);
  }

  /** The simulated server's name. */
  get name(): string {
    return this.#host.name;
  }

  /** Connection drops and restarts during an install, for the agent process to react to. */
  get events(): SimulatedEventSource<SimulatedHostEvents> {
    return this.#host.events;
  }

  /** Clustered mailbox server and cluster group moves this node ran. */
  get clusterEvents(): SimulatedEventSource<SimulatedClusterEvents> {
    return this.#host.clusterEvents;
  }

  /** Reads the inventory record and host facts: a deep copy, so changing it changes nothing. */
  async collect(signal?: AbortSignal): Promise<HostSnapshot> {
    signal?.throwIfAborted();
    const { server, host } = this.#host.snapshot();
    return { server, host };
  }

  /** Runs one step on the simulated server; throws StepFailedError with a code of STEP_ERROR_CODES. */
  async runStep<Step extends PlanStep>(
    step: Step,
    args: StepArgs[Step],
    context: StepContext,
  ): Promise<StepDetails> {
    if (this.#running !== undefined)
      throw new DriverError(
        'AGENT_ERR_DRIVER_BUSY',
        `${this.name} is still running command ${this.#running}; a host runs one step at a time`,
      );
    this.#running = context.commandId;
    try {
      // A run cancelled before it starts does not count towards failStep.times.
      const forced = context.signal.aborted ? undefined : this.#forcedFailure(step);
      const run = new StepRun(this.#host, step, context, this.#clock, forced);
      run.checkCancelled();
      run.progress(`${step} on ${this.name}: started`, 0);
      const handler: StepHandlers[Step] = STEP_HANDLERS[step];
      return await handler(run, args);
    } finally {
      this.#running = undefined;
    }
  }

  /** Everything the simulated server is now, beyond its inventory (a deep copy). */
  state(): SimulatedState {
    return this.#host.snapshot();
  }

  /** Calls `listener` with a frozen snapshot after every change, until the returned function is called. */
  onChange(listener: (state: SimulatedState) => void): () => void {
    return this.#host.onChange(listener);
  }

  #forcedFailure(step: PlanStep): SimulatedFailure | undefined {
    const failure = this.#host.behaviour.failStep;
    if (failure?.step !== step) return undefined;
    const runs = (this.#runs.get(step) ?? 0) + 1;
    this.#runs.set(step, runs);
    return failure.times === undefined || runs <= failure.times ? failure : undefined;
  }
}
