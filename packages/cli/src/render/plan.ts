import {
  type InventoryServer,
  identifyBuild,
  type RolloutPlan,
  releaseLabel,
  type UpdateRollup,
} from '@exrollout/core';
import { table } from './table.js';

/** Renders a rollout plan for a person: the update, each wave with its servers and steps, and who is left out. */
export function renderPlan(
  plan: RolloutPlan,
  update: UpdateRollup,
  servers: readonly InventoryServer[],
): string {
  const byName = new Map(servers.map((server) => [server.name.toLowerCase(), server]));
  const planned = plan.waves.reduce((sum, wave) => sum + wave.servers.length, 0);
  const lines = [
    `${update.id}  ${update.title}  (target build ${update.targetBuild})`,
    `${servers.length} servers: ${planned} to update in ${plan.waves.length} waves, ${plan.skipped.length} skipped, ${plan.excluded.length} excluded`,
  ];
  plan.waves.forEach((wave, i) => {
    lines.push('', `Wave ${i + 1} of ${plan.waves.length}: ${wave.name} (${count(wave.servers.length)})`);
    if (wave.servers.length === 0) lines.push('  (no servers)');
    else
      lines.push(
        table(
          [
            ['#', 'SERVER', 'SITE', 'FROM', 'CLUSTER', 'STEPS'],
            ...wave.servers.map((s, n) => plannedRow(s, n, byName)),
          ],
          '  ',
        ),
      );
  });
  lines.push('', `Skipped (${plan.skipped.length})`, ...leftOut(plan.skipped));
  lines.push('', `Excluded (${plan.excluded.length})`, ...leftOut(plan.excluded));
  return `${lines.join('\n')}\n`;
}

function plannedRow(
  server: RolloutPlan['waves'][number]['servers'][number],
  index: number,
  byName: ReadonlyMap<string, InventoryServer>,
): string[] {
  const source = byName.get(server.name.toLowerCase());
  const identity = identifyBuild(server.from);
  const from =
    identity.kind === 'release' ? `${server.from} (${releaseLabel(identity.release)})` : server.from;
  const cluster = source?.cluster
    ? `${source.cluster.type} ${source.cluster.name} ${source.cluster.role}`
    : '-';
  return [String(index + 1), server.name, source?.site ?? '-', from, cluster, server.steps.join(' > ')];
}

function leftOut(entries: readonly { name: string; code: string; reason: string }[]): string[] {
  if (entries.length === 0) return ['  (none)'];
  return [
    table(
      entries.map((entry) => [entry.name, entry.code, entry.reason]),
      '  ',
    ),
  ];
}

function count(n: number): string {
  return n === 1 ? '1 server' : `${n} servers`;
}
