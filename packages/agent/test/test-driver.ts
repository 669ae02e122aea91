// A minimal host driver for client tests: a fixed server record, and a change signal the test can fire.
import type { InventoryServer, PlanStep, StepDetails } from '@exrollout/core';
import { StepFailedError } from '../src/errors.js';
import type { HostDriver, HostSnapshot, StepContext } from '../src/index.js';

/** A driver whose inventory the test controls. */
export class TestDriver implements HostDriver {
  readonly kind = 'simulated';
  collects = 0;
  server: InventoryServer;
  readonly #listeners = new Set<() => void>();

  constructor(name = 'SEA-CAS01') {
    this.server = { name, build: '8.1.336.1', roles: ['ClientAccess'], internetFacing: true };
  }

  async collect(): Promise<HostSnapshot> {
    this.collects += 1;
    return { server: structuredClone(this.server), host: { architecture: 'x64' } };
  }

  /** The steps run so far, by command id. */
  readonly steps: string[] = [];

  /** Records the step; `verify` reports the build, every other step fails with NOT_SUPPORTED. */
  async runStep(step: PlanStep, _args: unknown, context: StepContext): Promise<StepDetails> {
    this.steps.push(context.commandId);
    if (step === 'verify') return { build: this.server.build };
    throw new StepFailedError('NOT_SUPPORTED', 'the test driver runs no steps');
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Changes the build and tells the listeners, as a finished install would. */
  change(build: string): void {
    this.server = { ...this.server, build };
    for (const listener of this.#listeners) listener();
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}
