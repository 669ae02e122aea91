import type { RolloutView } from '../api/types.js';
import { table } from '../render/table.js';

/** An audit event as the demo reads it. */
export interface TrailEvent {
  readonly type: string;
  readonly message: string;
  readonly server?: string;
}

// What every server that goes well shows; the rest of the trail is what the demo is there to show.
const ROUTINE = new Set([
  'rollout.created',
  'rollout.started',
  'rollout.completed',
  'rollout.waiting',
  'wave.completed',
  'server.started',
  'server.step-started',
  'server.step-succeeded',
  'server.succeeded',
]);

/** The servers the plan left out, each with its code and reason: printed before the rollout starts. */
export function leftOutLines(r: Pick<RolloutView, 'skipped' | 'excluded'>): string[] {
  const rows = [
    ...r.excluded.map((entry) => ['excluded', entry.name, entry.code, entry.reason]),
    ...r.skipped.map((entry) => ['skipped', entry.name, entry.code, entry.reason]),
  ];
  const head = `left out of the plan: ${r.excluded.length} excluded, ${r.skipped.length} skipped`;
  return rows.length === 0 ? [head] : [`${head}:`, ...table(rows, '  ').split('\n')];
}

/** What happened besides the routine steps (remedies, dropped agents, failures, retries), one line per event. */
export function trailLines(events: readonly TrailEvent[]): string[] {
  const notable = events.filter((event) => !ROUTINE.has(event.type));
  if (notable.length === 0) return ['the trail holds only routine steps'];
  return [
    `the trail besides the routine steps (${notable.length} events):`,
    ...notable.map((event) => `  ${event.type.padEnd(26)} ${event.message}`),
  ];
}
