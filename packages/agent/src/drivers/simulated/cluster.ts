import type { ClusterMembership } from '@exrollout/core';
import { DriverError } from '../../errors.js';

/** @internal What a cluster needs of each of its nodes: its membership now, and a way to change it. */
export interface ClusterNode {
  readonly name: string;
  membership(): ClusterMembership | undefined;
  /** The node now hosts `cms` (active), or none (passive) when `cms` is undefined. */
  hostCms(cms: string | undefined): void;
  /** The cluster group ("Cluster Group") now belongs to `owner`. */
  groupOwnerChanged(owner: string): void;
}

const key = (name: string) => name.toLowerCase();

/**
 * The Windows failover cluster shared by the simulated nodes of one CCR or SCC cluster in one process, so that
 * moving the clustered mailbox server from node A to node B changes the inventory of both.
 */
export class SimulatedCluster {
  readonly #nodes = new Map<string, ClusterNode>();
  #groupOwner: string | undefined;

  /** Creates an empty cluster; simulated drivers of its nodes join it when they are constructed. */
  constructor(readonly name: string) {}

  /** The names of the nodes that joined, in joining order. */
  get nodes(): string[] {
    return [...this.#nodes.values()].map((node) => node.name);
  }

  /** The node that owns the cluster group: the first active node to join, until the group is moved. */
  get groupOwner(): string | undefined {
    return this.#groupOwner;
  }

  /** The node of that name (case-insensitively), if it joined. */
  node(name: string): ClusterNode | undefined {
    return this.#nodes.get(key(name));
  }

  /** @internal Adds a node; throws DriverError when it does not belong or would make the cluster inconsistent. */
  join(node: ClusterNode): void {
    const problem = this.#joinProblem(node);
    if (problem)
      throw new DriverError(
        'AGENT_ERR_DRIVER_SIMULATED_CLUSTER',
        `${node.name} cannot join ${this.name}: ${problem}`,
      );
    this.#nodes.set(key(node.name), node);
    if (this.#groupOwner === undefined && node.membership()?.role === 'active') this.#groupOwner = node.name;
    if (this.#groupOwner !== undefined) node.groupOwnerChanged(this.#groupOwner);
  }

  /** @internal Moves the clustered mailbox server between two joined nodes; both nodes' state changes. */
  moveCms(cms: string, from: ClusterNode, to: ClusterNode): void {
    from.hostCms(undefined);
    to.hostCms(cms);
  }

  /** @internal Records that the cluster group moved to `owner`, on every node. */
  moveGroup(owner: string): void {
    this.#groupOwner = owner;
    for (const node of this.#nodes.values()) node.groupOwnerChanged(owner);
  }

  #joinProblem(node: ClusterNode): string | undefined {
    const membership = node.membership();
    if (!membership) return 'it is not a cluster node (no server.cluster)';
    if (key(membership.name) !== key(this.name)) return `it belongs to cluster ${membership.name}`;
    const existing = this.#nodes.get(key(node.name));
    if (existing && existing !== node) return 'another node of that name already joined';
    const first = [...this.#nodes.values()][0]?.membership();
    if (first && first.type !== membership.type)
      return `the cluster is ${first.type}, the node ${membership.type}`;
    const active = [...this.#nodes.values()].find((other) => other.membership()?.role === 'active');
    if (membership.role === 'active' && active && active !== node)
      return `${active.name} already hosts the clustered mailbox server`;
    return undefined;
  }
}
