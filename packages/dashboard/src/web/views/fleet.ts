import { COMPLIANCE_STATUSES, EXCHANGE_ROLES, KB959241 } from '@exrollout/core';
import type { ViewContext } from '../context.js';
import { badge, h, link, table } from '../dom.js';
import type { ServerView } from '../types.js';

interface Filters {
  role: string;
  site: string;
  compliance: string;
}

function select(id: string, label: string, options: readonly string[], onChange: (value: string) => void) {
  const control = h(
    'select',
    { id, onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
    h('option', { value: '' }, 'all'),
    ...options.map((option) => h('option', { value: option }, option)),
  );
  return h('span', { class: 'filter' }, h('label', { for: id }, label), control);
}

function keep(server: ServerView, filters: Filters): boolean {
  if (filters.role && !server.roles.some((role) => role === filters.role)) return false;
  if (filters.site && server.site !== filters.site) return false;
  return !filters.compliance || server.compliance.status === filters.compliance;
}

function counts(shown: readonly ServerView[], total: number): HTMLElement {
  const by = (status: string) => shown.filter((server) => server.compliance.status === status).length;
  const online = shown.filter((server) => server.online).length;
  return h(
    'p',
    { class: 'counts', 'aria-live': 'polite' },
    `${shown.length} of ${total} servers · ${by('current')} current · ${by('needs-update')} need ${KB959241.id} · ` +
      `${by('excluded')} excluded · ${online} online`,
  );
}

function row(server: ServerView) {
  const cluster = server.cluster
    ? `${server.cluster.type} ${server.cluster.name} (${server.cluster.role})`
    : '—';
  const compliance = h(
    'span',
    { title: server.compliance.reason ?? '' },
    badge(server.compliance.status),
    server.compliance.code ? ` ${server.compliance.code}` : '',
  );
  return [
    link(`/servers/${encodeURIComponent(server.name)}`, server.name),
    server.site ?? '—',
    server.build,
    server.rollup ?? 'unknown',
    server.roles.join(', ') + (server.internetFacing ? ' (Internet-facing)' : ''),
    cluster,
    badge(server.online ? 'online' : 'offline'),
    compliance,
  ];
}

/** The fleet: every server with its build, roles, cluster, liveness and KB959241 compliance, filterable. */
export async function fleetView(context: ViewContext): Promise<void> {
  const { servers, total } = await context.api.get<{ total: number; servers: ServerView[] }>(
    '/api/v1/servers',
  );
  const filters: Filters = { role: '', site: '', compliance: '' };
  const sites = [...new Set(servers.flatMap((server) => (server.site ? [server.site] : [])))].sort();
  const body = h('div');
  const render = () => {
    const shown = servers.filter((server) => keep(server, filters));
    const headers = ['Name', 'Site', 'Build', 'Rollup', 'Roles', 'Cluster (node)', 'Agent', KB959241.id];
    body.replaceChildren(counts(shown, total), table('Servers', headers, shown.map(row)));
  };
  const set = (key: keyof Filters) => (value: string) => {
    filters[key] = value;
    render();
  };
  context.main.append(
    h('h2', {}, 'Fleet'),
    h(
      'form',
      { class: 'filters', 'aria-label': 'Filters', onsubmit: (event: Event) => event.preventDefault() },
      select('filter-role', 'Role', EXCHANGE_ROLES, set('role')),
      select('filter-site', 'Site', sites, set('site')),
      select('filter-compliance', 'Compliance', COMPLIANCE_STATUSES, set('compliance')),
    ),
    body,
  );
  render();
}
