import type { ViewContext } from '../context.js';
import { badge, h, link, table, when } from '../dom.js';
import { roleAllows } from '../permissions.js';
import type { Rollout } from '../types.js';

/** One line of counts: `3 succeeded · 1 running`, leaving out zeros. */
export function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`);
  return parts.join(' · ') || 'no servers';
}

/** The newest rollouts and rollbacks. */
export async function rolloutsView(context: ViewContext): Promise<void> {
  const { rollouts } = await context.api.get<{ rollouts: Rollout[] }>('/api/v1/rollouts');
  context.main.append(
    h('h2', {}, 'Rollouts'),
    h('p', {}, roleAllows(context.me.role, 'operator') && link('/rollouts/new', 'New rollout…')),
    table(
      'Newest rollouts',
      ['Id', 'Kind', 'Update', 'State', 'Servers', 'Created', 'By'],
      rollouts.map((rollout) => [
        link(`/rollouts/${rollout.id}`, rollout.id),
        rollout.kind === 'rollback'
          ? `rollback of ${rollout.parentId ?? '?'} (${rollout.scope ?? 'all'})`
          : 'rollout',
        rollout.update,
        badge(rollout.state),
        countsText(rollout.counts),
        when(rollout.createdAt),
        rollout.createdBy,
      ]),
    ),
  );
}
