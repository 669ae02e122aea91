import { InventoryError } from '../errors.js';
import { normalizeBuild } from '../exchange/build.js';
import { groupClusters } from '../inventory/clusters.js';
import type { Inventory, InventoryServer } from '../inventory/schema.js';
import { checkInventory } from '../inventory/validate.js';
import type { UpdateRollup } from '../updates/catalog.js';
import { type Eligibility, eligibility } from './eligibility.js';
import { WAVE_NAMES } from './names.js';
import type {
  ExcludedServer,
  PlannedServer,
  PlanPin,
  PlanPolicy,
  RolloutPlan,
  SkippedServer,
} from './schema.js';
import { describeSelection, selectedNames } from './selection.js';
import { stepsFor, waveOf, waveReason } from './steps.js';

/**
 * Plans a rollout: which servers take the update, in which waves and order, with which steps, and why every
 * other server is left out. Pure: the same inventory (in any order), update and policy give the same plan.
 * `pins` are operators' Internet-facing pins, which decide a Client Access server's wave over its inventory.
 * Throws InventoryError if the inventory breaks a consistency rule (see checkInventory), and SelectionError if
 * the policy's selection names a server the inventory does not hold.
 */
export function planRollout(
  inventory: Inventory,
  update: UpdateRollup,
  policy: PlanPolicy = {},
  pins: readonly PlanPin[] = [],
): RolloutPlan {
  const problems = checkInventory(inventory);
  if (problems.length > 0) throw new InventoryError(problems);
  const servers = inventory.servers;
  const pinned = new Map(pins.map((pin) => [pin.name.toLowerCase(), pin]));
  const pinOf = (server: InventoryServer) => pinned.get(server.name.toLowerCase());
  const decisions = decide(servers, update, policy);
  const skipped: SkippedServer[] = [];
  const excluded: ExcludedServer[] = [];
  const toUpdate: InventoryServer[] = [];
  for (const server of servers) {
    const decision = decisions.get(server) ?? { kind: 'update' };
    if (decision.kind === 'update') toUpdate.push(server);
    else if (decision.kind === 'exclude')
      excluded.push({ name: server.name, code: decision.code, reason: decision.reason });
    else skipped.push({ name: server.name, code: decision.code, reason: decision.reason });
  }
  return {
    update: { kb: update.kb, build: update.targetBuild },
    waves: WAVE_NAMES.map((name) => ({
      name,
      servers: orderWave(toUpdate.filter((server) => waveOf(server, pinOf(server)) === name)).map((server) =>
        toPlanned(server, pinOf(server)),
      ),
    })),
    skipped: byName(skipped),
    excluded: byName(excluded),
  };
}

type Decision =
  | Exclude<Eligibility, { kind: 'current' }>
  | { kind: 'skip'; code: SkippedServer['code']; reason: string };

function decide(
  servers: readonly InventoryServer[],
  update: UpdateRollup,
  policy: PlanPolicy,
): Map<InventoryServer, Decision> {
  const selected = selectedNames(servers, policy.selection);
  const decisions = new Map<InventoryServer, Decision>();
  for (const server of servers) {
    if (!selected.has(server.name.toLowerCase())) {
      const reason = `Not in this rollout's selection (${describeSelection(policy.selection ?? {})}).`;
      decisions.set(server, { kind: 'skip', code: 'NOT_SELECTED', reason });
      continue;
    }
    const verdict = eligibility(server, update);
    decisions.set(
      server,
      verdict.kind === 'current'
        ? { kind: 'skip', code: 'ALREADY_CURRENT', reason: verdict.reason }
        : verdict,
    );
  }
  excludeClustersWithExcludedPeers(servers, decisions);
  return decisions;
}

// A cluster is one unit: if one node cannot take the update, patching the others would leave it mixed for good.
function excludeClustersWithExcludedPeers(
  servers: readonly InventoryServer[],
  decisions: Map<InventoryServer, Decision>,
): void {
  for (const group of groupClusters(servers)) {
    // The first excluded node by name, so that the reason does not depend on the inventory's order.
    const blocker = orderNodes(group.nodes).find((node) => decisions.get(node)?.kind === 'exclude');
    const blockerDecision = blocker && decisions.get(blocker);
    if (!blocker || blockerDecision?.kind !== 'exclude') continue;
    for (const node of group.nodes) {
      if (decisions.get(node)?.kind !== 'update') continue;
      decisions.set(node, {
        kind: 'exclude',
        code: 'CLUSTER_PEER_EXCLUDED',
        reason: `Node of ${node.cluster?.type} cluster ${group.name} whose node ${blocker.name} is excluded (${blockerDecision.code}); a cluster is updated as one unit. Resolve ${blocker.name} first.`,
      });
    }
  }
}

interface Unit {
  readonly sortKey: string;
  readonly servers: readonly InventoryServer[];
}

// Execution order: by site, then by server or cluster name; a cluster's passive nodes first, its active node last.
function orderWave(servers: readonly InventoryServer[]): InventoryServer[] {
  const units = new Map<string, InventoryServer[]>();
  for (const server of servers) {
    const key = server.cluster
      ? `cluster:${server.cluster.name.toLowerCase()}`
      : `server:${server.name.toLowerCase()}`;
    units.set(key, [...(units.get(key) ?? []), server]);
  }
  const ordered: Unit[] = [...units.values()].map((members) => {
    const first = members[0] as InventoryServer;
    const unitName = first.cluster?.name ?? first.name;
    return {
      // A cluster may share its name with a standalone server; the unit kind breaks that tie.
      sortKey: `${(first.site ?? '').toLowerCase()}\u0000${unitName.toLowerCase()}\u0000${first.cluster ? 'c' : 's'}`,
      servers: orderNodes(members),
    };
  });
  ordered.sort((a, b) => compareText(a.sortKey, b.sortKey));
  return ordered.flatMap((unit) => unit.servers);
}

function orderNodes(nodes: readonly InventoryServer[]): InventoryServer[] {
  const rank = (node: InventoryServer) => (node.cluster?.role === 'active' ? 1 : 0);
  return [...nodes].sort(
    (a, b) => rank(a) - rank(b) || compareText(a.name.toLowerCase(), b.name.toLowerCase()),
  );
}

function toPlanned(server: InventoryServer, pin: PlanPin | undefined): PlannedServer {
  const reason = waveReason(server, pin);
  return {
    name: server.name,
    from: normalizeBuild(server.build),
    steps: stepsFor(server),
    ...(server.cluster ? { cluster: server.cluster.name } : {}),
    ...(reason ? { waveReason: reason } : {}),
  };
}

function byName<T extends { name: string }>(entries: T[]): T[] {
  return entries.sort((a, b) => compareText(a.name.toLowerCase(), b.name.toLowerCase()));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
