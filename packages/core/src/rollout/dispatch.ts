import type { WaveName } from '../planner/schema.js';
import type { FailureBudget, RolloutPolicy } from './policy.js';
import { isFinished, type RolloutState, type ServerState } from './states.js';
import { insideWindows, nextWindowOpening } from './windows.js';

/** One server as the dispatcher sees it: its state and its cluster, if any. */
export interface DispatchServer {
  readonly name: string;
  readonly state: ServerState;
  readonly cluster?: string;
}

/** What the dispatcher needs to decide what happens next. Plain data: no I/O, no clock of its own. */
export interface DispatchSnapshot {
  readonly state: RolloutState;
  readonly waves: readonly { readonly name: WaveName; readonly servers: readonly DispatchServer[] }[];
  /** Index of the wave in progress (or waiting to start). */
  readonly currentWave: number;
  /** Highest wave index an approver has approved; wave 0 needs no approval. */
  readonly approvedWave: number;
  /** When the previous wave completed, for the soak time. */
  readonly previousWaveCompletedAt?: Date;
  readonly policy: Pick<
    RolloutPolicy,
    | 'concurrency'
    | 'waveConcurrency'
    | 'failureBudget'
    | 'approvalRequired'
    | 'soakSeconds'
    | 'maintenanceWindows'
  >;
  readonly now: Date;
  /** Failed and total servers of the whole rollout, when `waves` holds only some of them. @default counted from `waves` */
  readonly overall?: { readonly failed: number; readonly total: number };
  /** Servers planned in each wave, when `waves` holds the current wave's only. @default counted from `waves` */
  readonly waveSizes?: readonly number[];
}

/** What the engine should do now. */
export type DispatchDecision =
  | { readonly kind: 'idle' }
  | { readonly kind: 'halt'; readonly reason: string }
  /** Every wave has finished; `failed` servers of the rollout failed (0: it completed, else with failures). */
  | { readonly kind: 'complete'; readonly failed: number }
  /** The current wave has finished, or had no servers at all (`empty`): it is skipped, with no gate. */
  | { readonly kind: 'advance'; readonly completedWave: number; readonly empty: boolean }
  | { readonly kind: 'await-approval'; readonly wave: number }
  | { readonly kind: 'soak'; readonly wave: number; readonly until: Date }
  | { readonly kind: 'outside-window'; readonly until: Date | undefined }
  | { readonly kind: 'start'; readonly servers: readonly string[] }
  | { readonly kind: 'wait' };

/**
 * Decides the next move of a running rollout: halt on a spent failure budget, complete (with or without
 * failures) or advance past a finished or empty wave, hold for approval, soak or a maintenance window, or start
 * as many servers as the wave's concurrency allows, in plan order, never two nodes of one cluster at once and a
 * cluster's nodes in their plan order. The first wave with servers needs no approval and no soak.
 */
export function decideDispatch(snapshot: DispatchSnapshot): DispatchDecision {
  if (snapshot.state !== 'running') return { kind: 'idle' };
  const overspent = budgetExceeded(snapshot);
  if (overspent) return { kind: 'halt', reason: overspent };
  const wave = snapshot.waves[snapshot.currentWave];
  const complete = { kind: 'complete', failed: failedOverall(snapshot) } as const;
  if (!wave) return complete;
  if (wave.servers.every((server) => isFinished(server.state)))
    return snapshot.currentWave + 1 >= snapshot.waves.length
      ? complete
      : {
          kind: 'advance',
          completedWave: snapshot.currentWave,
          empty: sizeOf(snapshot, snapshot.currentWave) === 0,
        };
  const hold = gateOf(snapshot, wave.servers);
  if (hold) return hold;
  const startable = startableServers(wave.servers, concurrencyOf(snapshot, wave.name));
  return startable.length > 0 ? { kind: 'start', servers: startable } : { kind: 'wait' };
}

function gateOf(
  snapshot: DispatchSnapshot,
  servers: readonly DispatchServer[],
): DispatchDecision | undefined {
  const untouched = servers.every((server) => server.state === 'pending');
  const { policy, now, currentWave } = snapshot;
  // Empty waves are skipped: the first wave with servers is "the first", with no gate before it.
  const first = snapshot.waves.findIndex((_, index) => sizeOf(snapshot, index) > 0);
  if (untouched && currentWave > first) {
    if (policy.approvalRequired && snapshot.approvedWave < currentWave)
      return { kind: 'await-approval', wave: currentWave };
    const soakEnds =
      snapshot.previousWaveCompletedAt &&
      new Date(snapshot.previousWaveCompletedAt.getTime() + policy.soakSeconds * 1000);
    if (soakEnds && soakEnds > now) return { kind: 'soak', wave: currentWave, until: soakEnds };
  }
  if (!insideWindows(policy.maintenanceWindows, now))
    return { kind: 'outside-window', until: nextWindowOpening(policy.maintenanceWindows, now) };
  return undefined;
}

function startableServers(servers: readonly DispatchServer[], concurrency: number): string[] {
  let slots = concurrency - servers.filter((server) => server.state === 'running').length;
  const chosen: string[] = [];
  const busyClusters = new Set(
    servers.filter((s) => s.state === 'running' && s.cluster).map((s) => s.cluster),
  );
  const unfinishedClusters = new Set<string>();
  for (const server of servers) {
    if (slots <= 0) break;
    const cluster = server.cluster;
    // A cluster's nodes go strictly in plan order: passive nodes first, the active node once they are done.
    const blocked = cluster !== undefined && (busyClusters.has(cluster) || unfinishedClusters.has(cluster));
    if (server.state === 'pending' && !blocked) {
      chosen.push(server.name);
      slots--;
      if (cluster) busyClusters.add(cluster);
    }
    if (cluster && !isFinished(server.state)) unfinishedClusters.add(cluster);
  }
  return chosen;
}

function concurrencyOf(snapshot: DispatchSnapshot, wave: WaveName): number {
  return snapshot.policy.waveConcurrency?.[wave] ?? snapshot.policy.concurrency;
}

function sizeOf(snapshot: DispatchSnapshot, wave: number): number {
  return snapshot.waveSizes?.[wave] ?? snapshot.waves[wave]?.servers.length ?? 0;
}

function overallCount(snapshot: DispatchSnapshot): { failed: number; total: number } {
  return snapshot.overall ?? countFailed(snapshot.waves.flatMap((w) => w.servers));
}

function failedOverall(snapshot: DispatchSnapshot): number {
  return overallCount(snapshot).failed;
}

function budgetExceeded(snapshot: DispatchSnapshot): string | undefined {
  const { failureBudget } = snapshot.policy;
  const overall = overBudget(failureBudget.overall, overallCount(snapshot));
  if (overall) return `overall failure budget exceeded: ${overall}`;
  const wave = snapshot.waves[snapshot.currentWave];
  const waveOver = wave && overBudget(failureBudget.wave, countFailed(wave.servers));
  return waveOver ? `failure budget of wave ${wave.name} exceeded: ${waveOver}` : undefined;
}

function countFailed(servers: readonly DispatchServer[]): { failed: number; total: number } {
  // A server whose update was undone (automatic rollback after a failed verification) failed too.
  const failed = servers.filter(
    (server) => server.state === 'failed' || server.state === 'rolled-back',
  ).length;
  return { failed, total: servers.length };
}

function overBudget(
  budget: FailureBudget | undefined,
  { failed, total }: { failed: number; total: number },
): string | undefined {
  if (!budget || total === 0) return undefined;
  if (budget.count !== undefined && failed > budget.count)
    return `${failed} failed, ${budget.count} tolerated`;
  const percent = (failed / total) * 100;
  if (budget.percent !== undefined && percent > budget.percent)
    return `${failed} of ${total} failed (${percent.toFixed(1)}%), ${budget.percent}% tolerated`;
  return undefined;
}
