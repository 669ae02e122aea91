import type { ClusterMembership } from '@exrollout/core';
import type { ClusterNode, SimulatedCluster } from './cluster.js';
import { type SimulatedClusterEvents, SimulatedEvents, type SimulatedHostEvents } from './events.js';
import type { SimulatedHost } from './schema.js';
import {
  deepFreeze,
  initialState,
  type MutableState,
  type ResolvedBehaviour,
  resolveBehaviour,
  type SimulatedState,
} from './state.js';

/** @internal The simulated server itself: its state, its behaviour, and who hears of its changes. */
export class HostModel implements ClusterNode {
  readonly behaviour: ResolvedBehaviour;
  readonly events = new SimulatedEvents<SimulatedHostEvents>();
  readonly clusterEvents = new SimulatedEvents<SimulatedClusterEvents>();
  readonly #changes = new SimulatedEvents<{ change: SimulatedState }>();
  readonly #state: MutableState;
  #cmsMovedTo: { readonly cms: string; readonly node: string } | undefined;

  constructor(
    description: SimulatedHost,
    readonly cluster: SimulatedCluster | undefined,
  ) {
    this.behaviour = resolveBehaviour(description);
    this.#state = initialState(description);
  }

  /** The server's NetBIOS name. */
  get name(): string {
    return this.#state.server.name;
  }

  /** The live state, for reading only; change it through `change`. */
  get current(): Readonly<SimulatedState> {
    return this.#state;
  }

  /** A deep copy of the state, safe to keep and to change. */
  snapshot(): SimulatedState {
    return structuredClone(this.#state);
  }

  /** Applies a change to the state and tells every listener. */
  change(mutate: (state: MutableState) => void): void {
    mutate(this.#state);
    this.#changes.emit('change', deepFreeze(this.snapshot()));
  }

  /** Calls `listener` with a frozen snapshot after every change, until the returned function is called. */
  onChange(listener: (state: SimulatedState) => void): () => void {
    return this.#changes.on('change', listener);
  }

  /**
   * Without a shared SimulatedCluster: the clustered mailbox server this node last moved away and the node it
   * moved to, which is what Get-ClusteredMailboxServerStatus would show it; undefined once it hosts one again.
   */
  get cmsMovedTo(): { readonly cms: string; readonly node: string } | undefined {
    return this.#cmsMovedTo;
  }

  /** Without a shared SimulatedCluster: this node hands `cms` to `node` and becomes passive. */
  cmsMovedAway(cms: string, node: string): void {
    this.hostCms(undefined);
    this.#cmsMovedTo = { cms, node };
  }

  membership(): ClusterMembership | undefined {
    return this.#state.server.cluster;
  }

  hostCms(cms: string | undefined): void {
    if (cms !== undefined) this.#cmsMovedTo = undefined;
    this.change((state) => {
      const cluster = state.server.cluster;
      if (!cluster) return;
      const { cms: _released, ...rest } = cluster;
      state.server.cluster =
        cms === undefined ? { ...rest, role: 'passive' } : { ...rest, role: 'active', cms };
    });
  }

  groupOwnerChanged(owner: string): void {
    if (this.#state.clusterGroupOwner === owner) return;
    this.change((state) => {
      state.clusterGroupOwner = owner;
    });
  }
}
