import type { StepArgs, StepDetails } from '@exrollout/core';
import type { ClusterNode } from '../cluster.js';
import type { StepRun } from '../run.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * @internal Move-ClusteredMailboxServer: this active node hands the clustered mailbox server to a passive node
 * of its cluster and becomes passive; with a shared SimulatedCluster the target becomes active.
 */
export async function moveCms(run: StepRun, args: StepArgs['move-cms']): Promise<StepDetails> {
  await run.work();
  const cluster = run.host.current.server.cluster;
  const refuse = (why: string): never =>
    run.fail('CMS_MOVE_FAILED', `cannot move ${args.cms} from ${run.name} to ${args.targetNode}: ${why}`);
  if (!cluster) return refuse(`${run.name} is not a clustered mailbox server node`);
  if (cluster.role !== 'active' || cluster.cms === undefined || !same(cluster.cms, args.cms))
    return refuse(`${run.name} does not host ${args.cms}`);
  const target = targetNode(run, args.targetNode, refuse);
  if (target?.membership()?.role === 'active')
    refuse(`${args.targetNode} already runs a clustered mailbox server`);
  if (run.host.behaviour.cmsMoveFails)
    refuse(`the storage group copies on ${args.targetNode} are not healthy enough to move to (replication)`);
  const to = target?.name ?? args.targetNode;
  if (target && run.host.cluster) run.host.cluster.moveCms(cluster.cms, run.host, target);
  else run.host.hostCms(undefined);
  run.host.clusterEvents.emit('cms-moved', { cluster: cluster.name, cms: cluster.cms, from: run.name, to });
  return { movedTo: to };
}

/** @internal `cluster.exe group "Cluster Group" /move:<node>`: the cluster group moves to another node. */
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
