import type { StepArgs, StepDetails } from '@exrollout/core';
import type { ClusterNode } from '../cluster.js';
import type { StepRun } from '../run.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * @internal Move-ClusteredMailboxServer: this active node hands the clustered mailbox server to a passive node
 * of its cluster and becomes passive; with a shared SimulatedCluster the target becomes active. Repeatable:
 * when the target already hosts the clustered mailbox server (the move already ran), nothing moves and the
 * step succeeds with the same `movedTo`.
 */
export async function moveCms(run: StepRun, args: StepArgs['move-cms']): Promise<StepDetails> {
  await run.work();
  const cluster = run.host.current.server.cluster;
  const refuse = (why: string): never =>
    run.fail('CMS_MOVE_FAILED', `cannot move ${args.cms} from ${run.name} to ${args.targetNode}: ${why}`);
  if (!cluster) return refuse(`${run.name} is not a clustered mailbox server node`);
  if (cluster.role !== 'active' || cluster.cms === undefined || !same(cluster.cms, args.cms)) {
    const there = nodeHostingCms(run, args);
    if (there === undefined)
      return refuse(
        `${run.name} does not host ${args.cms}` +
          (same(args.targetNode, run.name) ? '' : `, and ${args.targetNode} does not either`) +
          `; Get-ClusteredMailboxServerStatus -Identity ${args.cms} shows which node runs it: move it from there, or plan again`,
      );
    run.progress(`${args.cms} already runs on ${there}: nothing to move`);
    return { movedTo: there };
  }
  const target = targetNode(run, args.targetNode, refuse);
  if (target?.membership()?.role === 'active')
    refuse(`${args.targetNode} already runs a clustered mailbox server`);
  if (run.host.behaviour.replicationUnhealthy && cluster.type === 'CCR')
    run.fail(
      'REPLICATION_UNHEALTHY',
      `storage group First Storage Group of ${args.cms} is Failed; Move-ClusteredMailboxServer was not run: let replication catch up or repair it, then run the step again`,
    );
  if (run.host.behaviour.sccResourceOffline && cluster.type === 'SCC')
    run.fail(
      'CLUSTER_RESOURCES_OFFLINE',
      `cluster resource "${args.cms} Database Disk" of ${args.cms} is Offline; Move-ClusteredMailboxServer was not run: bring the resources online (cluster.exe res), then run the step again`,
    );
  if (run.host.behaviour.cmsMoveFails)
    refuse(`the storage group copies on ${args.targetNode} are not healthy enough to move to (replication)`);
  const to = target?.name ?? args.targetNode;
  if (target && run.host.cluster) run.host.cluster.moveCms(cluster.cms, run.host, target);
  else run.host.cmsMovedAway(cluster.cms, to);
  run.host.clusterEvents.emit('cms-moved', { cluster: cluster.name, cms: cluster.cms, from: run.name, to });
  return { movedTo: to };
}

/**
 * The name of the target node when it already hosts the clustered mailbox server, as
 * Get-ClusteredMailboxServerStatus would show it: with a shared cluster, the target's own state; without one,
 * the move this node made (nothing else can move it in this simulation).
 */
function nodeHostingCms(run: StepRun, args: StepArgs['move-cms']): string | undefined {
  if (same(args.targetNode, run.name)) return undefined;
  if (run.host.cluster) {
    const node = run.host.cluster.node(args.targetNode);
    const membership = node?.membership();
    const hosts =
      membership?.role === 'active' && membership.cms !== undefined && same(membership.cms, args.cms);
    return hosts ? node?.name : undefined;
  }
  const moved = run.host.cmsMovedTo;
  return moved && same(moved.cms, args.cms) && same(moved.node, args.targetNode) ? moved.node : undefined;
}

/**
 * @internal `cluster.exe group "Cluster Group" /move:<node>`: the cluster group moves to another node.
 * Repeatable: when the target already owns the group, nothing moves and the step succeeds.
 */
export async function moveClusterGroup(
  run: StepRun,
  args: StepArgs['move-cluster-group'],
): Promise<StepDetails> {
  await run.work();
  const cluster = run.host.current.server.cluster;
  const refuse = (why: string): never =>
    run.fail('CLUSTER_GROUP_MOVE_FAILED', `cannot move the cluster group to ${args.targetNode}: ${why}`);
  if (!cluster) return refuse(`${run.name} is not a cluster node`);
  const target = targetNode(run, args.targetNode, refuse);
  const to = target?.name ?? args.targetNode;
  const owner = run.host.current.clusterGroupOwner;
  if (owner !== undefined && same(owner, to)) {
    run.progress(`the cluster group is already owned by ${owner}: nothing to move`);
    return { movedTo: to };
  }
  if (run.host.cluster) run.host.cluster.moveGroup(to);
  else run.host.groupOwnerChanged(to);
  run.host.clusterEvents.emit('cluster-group-moved', { cluster: cluster.name, from: run.name, to });
  return { movedTo: to };
}

/** The target node in the shared cluster, if there is one; refuses this node itself and strangers. */
function targetNode(run: StepRun, name: string, refuse: (why: string) => never): ClusterNode | undefined {
  if (same(name, run.name)) refuse(`${name} is this node; the move must empty it`);
  const cluster = run.host.cluster;
  if (!cluster) return undefined;
  const node = cluster.node(name);
  if (!node) refuse(`${name} is not a node of cluster ${cluster.name} (nodes: ${cluster.nodes.join(', ')})`);
  return node;
}
