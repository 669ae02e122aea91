import { KB959241 } from '@exrollout/core';
import type { ViewContext } from '../context.js';
import { badge, facts, h, link, table, when } from '../dom.js';
import type { Rollout, RolloutEvent, ServerDetail } from '../types.js';
import { TrailReader } from './trail.js';

type Trail = RolloutEvent & { rollout: string };

async function trailOf(context: ViewContext, name: string): Promise<Trail[]> {
  const { rollouts } = await context.api.get<{ rollouts: Rollout[] }>('/api/v1/rollouts');
  const lists = await Promise.all(
    rollouts.map(async (rollout) => {
      const trail = new TrailReader(context.api, rollout.id, `server=${encodeURIComponent(name)}`);
      await trail.catchUp();
      return trail.events.map((event) => ({ ...event, rollout: rollout.id }));
    }),
  );
  return lists.flat().sort((a, b) => b.at.localeCompare(a.at));
}

function inventory(server: ServerDetail): HTMLElement {
  return facts([
    ['FQDN', server.fqdn ?? '—'],
    ['Site', server.site ?? '—'],
    ['Build', `${server.build} (${server.rollup ?? 'unknown release'})`],
    ['Roles', server.roles.join(', ')],
    ['Internet-facing', server.internetFacing ? 'yes' : 'no'],
    [
      'Cluster',
      server.cluster ? `${server.cluster.type} ${server.cluster.name}, ${server.cluster.role} node` : '—',
    ],
    ['Interim updates', server.interimUpdates?.join(', ') || 'none'],
    ['OWA customised', server.owaCustomized ? 'yes' : 'no'],
    ['Agent', badge(server.online ? 'online' : 'offline')],
    [KB959241.id, h('span', {}, badge(server.compliance.status), ` ${server.compliance.reason ?? ''}`)],
    ['First seen', when(server.firstSeen)],
    ['Last seen', when(server.lastSeen)],
    ['Inventory collected', when(server.collectedAt)],
  ]);
}

const pairs = (record: Record<string, unknown>): [string, string][] =>
  Object.entries(record).map(([key, value]) => [key, String(value)]);

/** One server: inventory, host facts, agent, build history and the audit trail of rollouts that touched it. */
export async function serverView(context: ViewContext, name: string): Promise<void> {
  const path = `/api/v1/servers/${encodeURIComponent(name)}`;
  const [server, trail] = await Promise.all([context.api.get<ServerDetail>(path), trailOf(context, name)]);
  context.main.append(
    h('h2', {}, `Server ${server.name}`),
    h('section', {}, h('h3', {}, 'Inventory'), inventory(server)),
    h('section', {}, h('h3', {}, 'Host'), facts(pairs(server.host))),
    h('section', {}, h('h3', {}, 'Agent'), facts(pairs(server.agent))),
    table(
      'Build history',
      ['When', 'From', 'To'],
      server.history.map((entry) => [when(entry.at), entry.from ?? '—', entry.to]),
    ),
    table(
      'Rollouts that touched it',
      ['When', 'Rollout', 'Event', 'Actor', 'Message'],
      trail.map((event) => [
        when(event.at),
        link(`/rollouts/${event.rollout}`, event.rollout),
        event.type,
        event.actor,
        event.message,
      ]),
    ),
  );
}
