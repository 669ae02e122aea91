import type { InternetFacingPin } from '@exrollout/core';
import type { ComplianceEntry, ComplianceReport, ServerDetail, ServerView } from '../api/types.js';
import { table } from './table.js';

/** Renders GET /api/v1/servers as a table. */
export function renderServers(answer: { total: number; servers: ServerView[] }): string {
  if (answer.servers.length === 0) return 'No servers match.\n';
  const rows = answer.servers.map((s) => [
    s.name,
    s.site ?? '-',
    s.roles.join(','),
    s.build,
    s.rollup ?? '?',
    s.online ? 'online' : 'offline',
    complianceText(s.compliance),
  ]);
  const header = ['SERVER', 'SITE', 'ROLES', 'BUILD', 'ROLLUP', 'AGENT', 'COMPLIANCE'];
  return `${table([header, ...rows])}\n${answer.total} server${answer.total === 1 ? '' : 's'}\n`;
}

/** Renders one server in detail. */
export function renderServer(s: ServerDetail): string {
  const cluster = s.cluster ? `${s.cluster.type} ${s.cluster.name} ${s.cluster.role}` : '-';
  const rows = [
    ['Server', s.name],
    ['FQDN', s.fqdn ?? '-'],
    ['Site', s.site ?? '-'],
    ['Roles', s.roles.join(', ')],
    ['Build', `${s.build} (${s.rollup ?? 'unknown build'})`],
    ['Compliance', complianceText(s.compliance)],
    ['Cluster', cluster],
    ['Internet-facing', internetFacingText(s)],
    ['OWA customised', yesNo(s.owaCustomized)],
    ['Interim updates', s.interimUpdates?.join(', ') || '-'],
    ['Agent', `${s.online ? 'online' : 'offline'}; last seen ${s.lastSeen}`],
    ['Inventory at', s.collectedAt],
  ];
  const history = s.history.map((h) => [`  ${h.at}`, `${h.from ?? '(first seen)'} -> ${h.to}`]);
  return `${table(rows)}\n\nBuild history (${s.history.length})\n${history.length > 0 ? table(history) : '  (none)'}\n`;
}

/** Renders the answer to `servers pin`: the pin and the wave plans now put the server in. */
export function renderPin(pin: InternetFacingPin): string {
  const wave = pin.internetFacing ? 'cas-internet-facing' : 'cas-internal';
  const reason = pin.reason ? ` (${pin.reason})` : '';
  return `Pinned ${pin.name} ${pin.internetFacing ? 'Internet-facing' : 'internal'} by ${pin.pinnedBy} at ${pin.pinnedAt}${reason}: plans put it in wave ${wave}.\n`;
}

/** Renders the answer to `servers unpin`. */
export function renderUnpin(answer: { name: string }): string {
  return `Unpinned ${answer.name}: its agent's report decides whether it is Internet-facing again.\n`;
}

/** Renders the compliance report: counts, then each list. */
export function renderCompliance(report: ComplianceReport): string {
  const { counts } = report;
  const lines = [
    `${report.update.id} (build ${report.update.build}): ${counts.total} servers: ${counts.current} current, ${counts.needsUpdate} need the update, ${counts.excluded} excluded`,
    '',
    `Needs update (${counts.needsUpdate})`,
    entries(report.needsUpdate),
    '',
    `Current (${counts.current})`,
    entries(report.current),
    '',
    `Excluded (${counts.excluded})`,
    entries(report.excluded),
  ];
  return `${lines.join('\n')}\n`;
}

function entries(list: readonly ComplianceEntry[]): string {
  if (list.length === 0) return '  (none)';
  return table(
    list.map((e) => [e.name, e.build, e.code ?? '', e.reason ?? '']),
    '  ',
  );
}

function complianceText(c: ServerView['compliance']): string {
  return c.code ? `${c.status} (${c.code})` : c.status;
}

function internetFacingText(s: ServerView): string {
  const pin = s.internetFacingPin;
  if (!pin) return yesNo(s.internetFacing);
  const reported =
    s.reportedInternetFacing === undefined ? '' : `; agent reports ${yesNo(s.reportedInternetFacing)}`;
  const reason = pin.reason ? `: ${pin.reason}` : '';
  return `${yesNo(pin.internetFacing)} (pinned by ${pin.pinnedBy} at ${pin.pinnedAt}${reported})${reason}`;
}

function yesNo(value: boolean | undefined): string {
  return value === undefined ? '-' : value ? 'yes' : 'no';
}
