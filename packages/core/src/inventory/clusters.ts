import type { InventoryIssue } from '../errors.js';
import { serverIssue } from './issue.js';
import type { InventoryServer } from './schema.js';

/** A Windows failover cluster as the inventory describes it: its nodes, in inventory order. */
export interface ClusterGroup {
  readonly key: string;
  readonly name: string;
  readonly nodes: readonly InventoryServer[];
}

/** Groups clustered servers by cluster name (case-insensitively). */
export function groupClusters(servers: readonly InventoryServer[]): ClusterGroup[] {
  const groups = new Map<string, { name: string; nodes: InventoryServer[] }>();
  for (const server of servers) {
    if (!server.cluster) continue;
    const key = server.cluster.name.toLowerCase();
    const group = groups.get(key) ?? { name: server.cluster.name, nodes: [] };
    // Nodes may spell the name in different cases; keep one spelling whatever the inventory's order.
    if (server.cluster.name < group.name) group.name = server.cluster.name;
    group.nodes.push(server);
    groups.set(key, group);
  }
  return [...groups].map(([key, group]) => ({ key, ...group }));
}

/** Reports clusters that cannot be patched safely as described: never guesses which node is which. */
export function checkClusters(servers: readonly InventoryServer[]): InventoryIssue[] {
  return [
    ...servers.flatMap((server) => checkNode(servers, server)),
    ...groupClusters(servers).flatMap((group) => checkGroup(servers, group)),
  ];
}

/** The rules one cluster node must follow on its own (roles, cms), whatever its peers say. */
export function checkNode(servers: readonly InventoryServer[], server: InventoryServer): InventoryIssue[] {
  const cluster = server.cluster;
  if (!cluster) return [];
  const issues: InventoryIssue[] = [];
  const extraRoles = server.roles.filter((role) => role !== 'Mailbox');
  if (extraRoles.length > 0 || !server.roles.includes('Mailbox'))
    issues.push(
      serverIssue(
        servers,
        server,
        'roles',
        `a clustered mailbox server node runs the Mailbox role only (found ${server.roles.join(', ')})`,
      ),
    );
  if (cluster.role === 'active' && cluster.cms === undefined)
    issues.push(
      serverIssue(
        servers,
        server,
        'cluster.cms',
        'the active node must name the clustered mailbox server it hosts',
      ),
    );
  if (cluster.role === 'passive' && cluster.cms !== undefined)
    issues.push(
      serverIssue(
        servers,
        server,
        'cluster.cms',
        `a passive node hosts no clustered mailbox server, yet names "${cluster.cms}"`,
      ),
    );
  return issues;
}

function checkGroup(servers: readonly InventoryServer[], group: ClusterGroup): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const [first] = group.nodes;
  if (!first?.cluster) return issues;
  const active = group.nodes.filter((node) => node.cluster?.role === 'active');
  const names = group.nodes.map((node) => node.name).join(', ');
  const report = (node: InventoryServer, field: string, message: string) =>
    issues.push(serverIssue(servers, node, field, message));
  for (const node of group.nodes.slice(1)) {
    if (node.cluster?.type !== first.cluster.type)
      report(
        node,
        'cluster.type',
        `cluster ${group.name} is ${first.cluster.type} on ${first.name} but ${node.cluster?.type} here`,
      );
    if ((node.site ?? '').toLowerCase() !== (first.site ?? '').toLowerCase())
      report(
        node,
        'site',
        `node of cluster ${group.name} in site "${node.site ?? '(none)'}" while ${first.name} is in "${first.site ?? '(none)'}"; nodes of one cluster share a site`,
      );
  }
  if (active.length > 1)
    for (const node of active.slice(1))
      report(
        node,
        'cluster.role',
        `cluster ${group.name} has ${active.length} active nodes (${active.map((n) => n.name).join(', ')}); exactly one hosts the clustered mailbox server`,
      );
  if (active.length === 0)
    report(
      first,
      'cluster.role',
      `cluster ${group.name} has no active node among ${names}; report the node that hosts the clustered mailbox server`,
    );
  if (first.cluster.type === 'CCR' && group.nodes.length > 2)
    report(
      first,
      'cluster.name',
      `CCR cluster ${group.name} has ${group.nodes.length} nodes (${names}); a CCR cluster has two`,
    );
  return issues;
}
