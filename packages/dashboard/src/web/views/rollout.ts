import { describeError } from '../api.js';
import type { ViewContext } from '../context.js';
import { badge, h, link, table, when } from '../dom.js';
import { type RolloutButton, rolloutOffers, type ServerButton, serverOffers } from '../permissions.js';
import type { Rollout, ServerRun } from '../types.js';
import { countsText } from './rollouts.js';
import { TrailReader, trailTable } from './trail.js';

interface Page {
  readonly context: ViewContext;
  readonly id: string;
  readonly body: HTMLElement;
  readonly alert: HTMLElement;
  readonly trail: TrailReader;
  showAll: boolean;
  last: string;
}

function askReason(what: string): string | undefined {
  const reason = window.prompt(`Reason for the rollback of ${what} (required):`)?.trim();
  return reason ? reason : undefined;
}

async function act(page: Page, path: string, body: unknown): Promise<void> {
  page.alert.textContent = '';
  try {
    await page.context.api.post<Rollout>(`/api/v1/rollouts/${page.id}${path}`, body);
    await refresh(page);
  } catch (error) {
    page.alert.textContent = describeError(error);
  }
}

function rolloutAction(page: Page, action: RolloutButton): void {
  if (action !== 'rollback') {
    void act(page, `/${action}`, {});
    return;
  }
  const reason = askReason('the whole rollout');
  if (reason) void act(page, '/rollback', { reason });
  else page.alert.textContent = 'A rollback needs a reason; nothing was done.';
}

function serverAction(page: Page, server: string, action: ServerButton): void {
  const path = `/servers/${encodeURIComponent(server)}/${action}`;
  if (action !== 'rollback') {
    void act(page, path, {});
    return;
  }
  const reason = askReason(server);
  if (reason) void act(page, path, { reason });
  else page.alert.textContent = 'A rollback needs a reason; nothing was done.';
}

function serverCard(page: Page, rollout: Rollout, wave: number, server: ServerRun): HTMLElement {
  const { buttons, notOffered } = serverOffers(rollout, wave, server, page.context.me.role);
  const percent = server.progress?.percent;
  return h(
    'li',
    { class: `card state-${server.state}`, 'data-server': server.name },
    h('strong', {}, server.name),
    ' ',
    badge(server.state),
    h(
      'div',
      { class: 'small' },
      `${server.fromBuild} → ${server.toBuild ?? '…'}`,
      server.cluster ? ` · ${server.cluster}` : '',
    ),
    server.step && h('div', { class: 'small' }, `step: ${server.step}`),
    server.progress && h('div', { class: 'small' }, server.progress.message),
    percent !== undefined &&
      h('progress', { max: 100, value: percent, 'aria-label': `${server.name} progress` }),
    server.staging && h('div', { class: 'small staging' }, stagingText(server.staging)),
    server.error && h('div', { class: 'small error' }, `${server.error.code}: ${server.error.message}`),
    server.attempt > 1 && h('div', { class: 'small' }, `attempt ${server.attempt}`),
    ...notOffered.map((why) => h('div', { class: 'small not-offered' }, why)),
    buttons.length > 0 &&
      h(
        'div',
        { class: 'actions' },
        ...buttons.map((action) =>
          h(
            'button',
            { type: 'button', onclick: () => serverAction(page, server.name, action) },
            `${action} ${server.name}`,
          ),
        ),
      ),
  );
}

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/** `staged 266.7 MB` or `staging 40% (106.7 of 266.7 MB)`. */
function stagingText(staging: NonNullable<ServerRun['staging']>): string {
  if (staging.state === 'staged')
    return `package staged: ${mb(staging.total)}${staging.skipped ? ' (already there)' : ''}`;
  return `staging ${staging.percent}% (${mb(staging.bytes)} of ${mb(staging.total)})`;
}

function lanes(page: Page, rollout: Rollout): HTMLElement {
  return h(
    'div',
    { class: 'lanes' },
    ...rollout.waves.map((wave, index) =>
      h(
        'section',
        { class: 'lane', 'aria-label': `Wave ${index + 1}: ${wave.name}` },
        h('h3', {}, `${index + 1}. ${wave.name} `, badge(wave.state)),
        wave.servers.length === 0
          ? h('p', { class: 'small' }, 'no servers')
          : h('ul', {}, ...wave.servers.map((server) => serverCard(page, rollout, index, server))),
      ),
    ),
  );
}

function summary(page: Page, rollout: Rollout): HTMLElement {
  const { buttons, notOffered } = rolloutOffers(rollout, page.context.me.role);
  return h(
    'div',
    {},
    h(
      'h2',
      {},
      `${rollout.kind === 'rollback' ? 'Rollback' : 'Rollout'} ${rollout.id} `,
      badge(rollout.state),
    ),
    rollout.reason && h('p', { class: 'reason' }, rollout.reason),
    h(
      'p',
      { class: 'small' },
      `${rollout.update} · created ${when(rollout.createdAt)} by ${rollout.createdBy}`,
      rollout.parentId
        ? h('span', {}, ' · undoes ', link(`/rollouts/${rollout.parentId}`, rollout.parentId))
        : '',
      rollout.rollbackId
        ? h('span', {}, ' · rollback ', link(`/rollouts/${rollout.rollbackId}`, rollout.rollbackId))
        : '',
    ),
    h('p', { class: 'counts', 'aria-live': 'polite' }, countsText(rollout.counts)),
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Rollout actions' },
      ...buttons.map((action) =>
        h('button', { type: 'button', onclick: () => rolloutAction(page, action) }, action),
      ),
    ),
    ...notOffered.map((why) => h('p', { class: 'small not-offered' }, why)),
  );
}

function failures(rollout: Rollout): HTMLElement[] {
  const groups = rollout.failures ?? [];
  if (groups.length === 0) return [];
  const total = groups.reduce((sum, group) => sum + group.count, 0);
  const section = h(
    'section',
    { class: 'failures', 'aria-label': 'Failures' },
    h('h3', {}, `Failures (${total}), by error code`),
    h(
      'ul',
      {},
      ...groups.map((group) =>
        h(
          'li',
          {},
          h('strong', {}, `${group.code} (${group.count})`),
          `: ${group.servers.join(', ')}`,
          h('div', { class: 'small' }, `Next: ${group.next}`),
        ),
      ),
    ),
  );
  return [section];
}

function leftOut(rollout: Rollout): HTMLElement[] {
  const rows = (list: Rollout['skipped']) => list.map((entry) => [entry.name, entry.code, entry.reason]);
  return [
    table('Skipped by the plan', ['Server', 'Code', 'Reason'], rows(rollout.skipped)),
    table('Excluded by the plan', ['Server', 'Code', 'Reason'], rows(rollout.excluded)),
  ];
}

async function refresh(page: Page): Promise<void> {
  const [rollout] = await Promise.all([
    page.context.api.get<Rollout>(`/api/v1/rollouts/${page.id}`),
    page.trail.catchUp(),
  ]);
  const snapshot = JSON.stringify([rollout, page.trail.events.length, page.trail.dropped, page.showAll]);
  if (snapshot === page.last) return;
  page.last = snapshot;
  const toggle = () => {
    page.showAll = !page.showAll;
    void refresh(page);
  };
  page.body.replaceChildren(
    summary(page, rollout),
    ...failures(rollout),
    lanes(page, rollout),
    ...leftOut(rollout),
    trailTable(page.trail, page.showAll, toggle),
  );
}

/** A rollout: waves as lanes with each server's state, actions, the plan's left-outs, the audit trail; polled every second. */
export async function rolloutView(context: ViewContext, id: string): Promise<void> {
  const alert = h('p', { role: 'alert', class: 'error' });
  const trail = new TrailReader(context.api, id);
  const page: Page = { context, id, body: h('div'), alert, trail, showAll: false, last: '' };
  context.main.append(alert, page.body);
  await refresh(page);
  let busy = false;
  const timer = window.setInterval(() => {
    if (busy) return;
    busy = true;
    refresh(page)
      .catch((error: unknown) => {
        alert.textContent = describeError(error);
      })
      .finally(() => {
        busy = false;
      });
  }, 1000);
  context.onLeave(() => window.clearInterval(timer));
}
