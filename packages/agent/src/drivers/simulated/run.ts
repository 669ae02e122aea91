import type { PlanStep, StepDetails } from '@exrollout/core';
import { StepFailedError } from '../../errors.js';
import type { StepErrorCode } from '../step-errors.js';
import type { StepContext } from '../types.js';
import type { SimulatedClock } from './clock.js';
import type { HostModel } from './host-model.js';
import type { SimulatedFailure } from './schema.js';

/** @internal One run of one step on a simulated host: waiting, failing and reporting progress. */
export class StepRun {
  constructor(
    readonly host: HostModel,
    readonly step: PlanStep,
    readonly context: StepContext,
    private readonly clock: SimulatedClock,
    private readonly forced: SimulatedFailure | undefined,
  ) {}

  /** The server's name, for messages. */
  get name(): string {
    return this.host.name;
  }

  /** Reports progress to the agent. */
  progress(message: string, percent?: number): void {
    this.context.progress(message, percent);
  }

  /** Throws STEP_CANCELLED if the step was aborted. */
  checkCancelled(): void {
    if (this.context.signal.aborted) this.#cancelled();
  }

  /** Lets simulated time pass; an abort meanwhile fails the step with STEP_CANCELLED. */
  async wait(ms: number): Promise<void> {
    this.checkCancelled();
    try {
      await this.clock.sleep(ms, this.context.signal);
    } catch (error) {
      if (this.context.signal.aborted) this.#cancelled(error);
      throw error;
    }
  }

  /** The usual body of a short step: its duration passes, then a forced failure (failStep) strikes. */
  async work(): Promise<void> {
    await this.wait(this.host.behaviour.stepMs);
    this.enforce();
  }

  /** Fails the step with the failStep knob's code and message, when it applies to this run. */
  enforce(): void {
    if (this.forced)
      throw new StepFailedError(this.forced.code, this.forced.message, {
        build: this.host.current.server.build,
      });
  }

  /** Fails the step with a stable code, a sentence to act on, and what was learnt. */
  fail(code: StepErrorCode, message: string, details: StepDetails = {}): never {
    throw new StepFailedError(code, message, details);
  }

  #cancelled(cause?: unknown): never {
    throw new StepFailedError(
      'STEP_CANCELLED',
      `${this.step} on ${this.name} was cancelled before it changed anything`,
      { build: this.host.current.server.build },
      { cause },
    );
  }
}
