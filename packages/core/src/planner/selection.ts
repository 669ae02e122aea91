import { SelectionError } from '../errors.js';
import { groupClusters } from '../inventory/clusters.js';
import type { InventoryServer } from '../inventory/schema.js';
import type { PlanSelection } from './schema.js';

/**
 * The servers a selection covers, by lower-cased name; a cluster is taken whole when any node matches.
 * Throws SelectionError when the selection names a server the inventory does not hold.
 */
export function selectedNames(
  servers: readonly InventoryServer[],
  selection: PlanSelection | undefined,
): Set<string> {
  const known = new Set(servers.map((server) => server.name.toLowerCase()));
  const unknown = (selection?.names ?? []).filter((name) => !known.has(name.toLowerCase()));
  if (unknown.length > 0) throw new SelectionError(unknown);
  const chosen = new Set(
    servers.filter((server) => matches(server, selection)).map((server) => server.name.toLowerCase()),
  );
  for (const group of groupClusters(servers)) {
    if (group.nodes.some((node) => chosen.has(node.name.toLowerCase())))
      for (const node of group.nodes) chosen.add(node.name.toLowerCase());
  }
  return chosen;
}

/** Describes a selection for a person: `names MBX01, MBX02; roles Mailbox`. */
export function describeSelection(selection: PlanSelection): string {
  const parts = [
    selection.names && `names ${selection.names.join(', ')}`,
    selection.sites && `sites ${selection.sites.join(', ')}`,
    selection.roles && `roles ${selection.roles.join(', ')}`,
  ];
  return parts.filter(Boolean).join('; ');
}

function matches(server: InventoryServer, selection: PlanSelection | undefined): boolean {
  if (!selection) return true;
  const lower = (values: readonly string[]) => values.map((value) => value.toLowerCase());
  if (selection.names && !lower(selection.names).includes(server.name.toLowerCase())) return false;
  if (selection.sites && !lower(selection.sites).includes((server.site ?? '').toLowerCase())) return false;
  if (selection.roles && !server.roles.some((role) => selection.roles?.includes(role))) return false;
  return true;
}
