import type { EventsPage, RolloutEvent, RolloutSummary, RolloutView, ServerRunView } from '../api/types.js';
import { table } from './table.js';

/** Renders GET /api/v1/rollouts as a table. */
export function renderRollouts(answer: { rollouts: RolloutSummary[] }): string {
  if (answer.rollouts.length === 0) return 'No rollouts.\n';
  const rows = answer.rollouts.map((r) => [
    r.id,
    r.kind === 'rollback' ? `rollback of ${r.parentId ?? '?'}` : r.update,
    r.state,
    countsText(r.counts),
    r.createdAt,
    r.createdBy,
  ]);
  return `${table([['ID', 'UPDATE', 'STATE', 'SERVERS', 'CREATED', 'BY'], ...rows])}\n`;
}

/** Renders a rollout: its state, each wave with its servers, and the servers the plan left out. */
export function renderRollout(r: RolloutView): string {
  const lines = [headline(r), `created ${r.createdAt} by ${r.createdBy}`];
  if (r.rollbackId) lines.push(`rollback: ${r.rollbackId}`);
  r.waves.forEach((wave, i) => {
    lines.push('', `Wave ${i + 1} of ${r.waves.length}: ${wave.name} (${wave.state})`);
    if (wave.servers.length === 0) lines.push('  (no servers)');
    else
      lines.push(
        table([['SERVER', 'STATE', 'STEP', 'BUILD', 'DETAIL'], ...wave.servers.map(serverRow)], '  '),
      );
  });
  const failures = failureLines(r);
  if (failures.length > 0) lines.push('', ...failures);
  lines.push('', `Skipped (${r.skipped.length})`, ...leftOut(r.skipped));
  lines.push('', `Excluded (${r.excluded.length})`, ...leftOut(r.excluded));
  return `${lines.join('\n')}\n`;
}

/** Renders a newly created rollout: its id first, then a summary of its waves. */
export function renderCreated(r: RolloutView): string {
  const servers = r.waves.reduce((sum, wave) => sum + wave.servers.length, 0);
  const lines = [
    `Created rollout ${r.id}`,
    `${r.update}: ${servers} servers in ${r.waves.length} waves, ${r.skipped.length} skipped, ${r.excluded.length} excluded; state ${r.state}`,
    ...r.waves.map(
      (wave, i) => `  wave ${i + 1} ${wave.name}: ${wave.servers.map((s) => s.name).join(', ') || '(none)'}`,
    ),
    `Start it with: exrollout rollouts start ${r.id}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Renders the rollout an action returned: its id, new state and reason. */
export function renderActionResult(r: RolloutView): string {
  return `${headline(r)}${r.rollbackId && r.state === 'rolling-back' ? `; rollback ${r.rollbackId}` : ''}\n`;
}

/** Renders audit events, one line each, with a header when `header` is true. */
export function renderEvents(events: readonly RolloutEvent[], header = true): string {
  const rows = events.map((e) => [e.at, e.type, e.server ?? '-', e.actor, e.message]);
  if (!header) return `${table(rows)}\n`;
  if (events.length === 0) return 'No events.\n';
  return `${table([['AT', 'TYPE', 'SERVER', 'ACTOR', 'MESSAGE'], ...rows])}\n`;
}

/** How many events were printed, of how many in the trail, and how many the server dropped, if any. */
export function renderTrailCount(
  page: Pick<EventsPage, 'events' | 'total' | 'dropped'>,
  server?: string,
): string {
  const shown = server
    ? `${count(page.events.length, 'event')} about ${server} (${count(page.total, 'event')} in the trail)`
    : count(page.events.length, 'event');
  if (page.dropped === 0) return page.events.length === 0 ? '' : `${shown}\n`;
  return `${shown}; the oldest ${count(page.dropped, 'event')} of ${page.total.toLocaleString('en-US')} were dropped by the server's bound on a trail (EXR_AUDIT_EVENTS_MAX)\n`;
}

function count(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

/** The failed servers grouped by error code, each group with its next step; nothing when none failed. */
export function failureLines(r: Pick<RolloutSummary, 'failures'>): string[] {
  const failures = r.failures ?? [];
  if (failures.length === 0) return [];
  const total = failures.reduce((sum, group) => sum + group.count, 0);
  return [
    `Failures (${total}), by error code:`,
    ...failures.flatMap((group) => [
      `  ${group.code} (${group.count}): ${group.servers.join(', ')}`,
      `    next: ${group.next}`,
    ]),
  ];
}

/** `r-...  KB959241  running (reason)  counts`. */
export function headline(r: RolloutSummary): string {
  const reason = r.reason ? ` (${r.reason})` : '';
  return `${r.id}  ${r.kind === 'rollback' ? `rollback of ${r.parentId ?? '?'}` : r.update}  ${r.state}${reason}  ${countsText(r.counts)}`;
}

/** Non-zero counts by state: `2 succeeded, 1 running`. */
export function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return parts.length > 0 ? parts.join(', ') : 'no servers';
}

function serverRow(s: ServerRunView): string[] {
  const build = s.toBuild ? `${s.fromBuild} -> ${s.toBuild}` : s.fromBuild;
  const detail = s.error
    ? `${s.error.code}: ${s.error.message}`
    : s.progress
      ? progressText(s.progress)
      : s.staging?.state === 'staged'
        ? `package staged (${(s.staging.total / 1_000_000).toFixed(1)} MB)`
        : s.attempt > 1
          ? `attempt ${s.attempt}`
          : '';
  return [s.cluster ? `${s.name} (${s.cluster})` : s.name, s.state, s.step ?? '-', build, detail];
}

/** `installing (50%)`. */
export function progressText(progress: { message: string; percent?: number }): string {
  const { message, percent } = progress;
  return percent === undefined || message.includes(`${percent}%`) ? message : `${message} (${percent}%)`;
}

function leftOut(entries: readonly { name: string; code: string; reason: string }[]): string[] {
  if (entries.length === 0) return ['  (none)'];
  return [
    table(
      entries.map((e) => [e.name, e.code, e.reason]),
      '  ',
    ),
  ];
}
