import type { PlanStep } from '@exrollout/core';

/** Something that happened to the host in the middle of a step, which the agent process must react to. */
export interface HostInterruption {
  /** The simulated server's name. */
  readonly server: string;
  readonly commandId: string;
  readonly step: PlanStep;
  /** How far the step had got. */
  readonly percent: number;
}

/** Host events: the agent's connection drops, or Windows restarts (the agent process dies with it). */
export interface SimulatedHostEvents {
  disconnect: HostInterruption;
  reboot: HostInterruption;
}

/** Cluster events, emitted by the node that ran the move. */
export interface SimulatedClusterEvents {
  'cms-moved': { readonly cluster: string; readonly cms: string; readonly from: string; readonly to: string };
  'cluster-group-moved': { readonly cluster: string; readonly from: string; readonly to: string };
}

type Listener<Event> = (event: Event) => void;

/** Where to listen for a simulated host's events. */
export interface SimulatedEventSource<Events extends object> {
  /** Calls `listener` with every `name` event until the returned function is called. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void;
}

/** @internal A minimal typed event emitter: `on` returns a function that removes the listener. */
export class SimulatedEvents<Events extends object> implements SimulatedEventSource<Events> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Calls `listener` with every `name` event until the returned function is called. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
    const listeners = this.#listeners.get(name) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(name, listeners);
    return () => {
      listeners.delete(listener);
    };
  }

  /** @internal Calls every listener of `name`; a listener that throws cannot break the simulated host. */
  emit<Name extends keyof Events>(name: Name, event: Events[Name]): void {
    for (const listener of [...(this.#listeners.get(name) ?? [])]) {
      try {
        (listener as Listener<Events[Name]>)(event);
      } catch (error) {
        // Rethrown outside the step, where the process (or vitest) reports it as uncaught.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
