import { EXCHANGE_ROLES, KB959241 } from '@exrollout/core';
import { describeError } from '../api.js';
import type { ViewContext } from '../context.js';
import { h, table } from '../dom.js';
import { roleAllows } from '../permissions.js';
import type { LeftOut, Plan, Rollout } from '../types.js';

const X64_PACKAGE = KB959241.packages.find((entry) => entry.architecture === 'x64')?.file ?? '';

function field(id: string, label: string, attrs: Record<string, string | number | boolean>): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, ...attrs }));
}

function value(form: HTMLFormElement, id: string): string {
  const input = form.elements.namedItem(id);
  return input instanceof HTMLInputElement ? input.value.trim() : '';
}

function list(text: string): string[] | undefined {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function selection(form: HTMLFormElement): Record<string, string[]> | undefined {
  const roles = EXCHANGE_ROLES.filter(
    (role) => (form.elements.namedItem(`role-${role}`) as HTMLInputElement | null)?.checked,
  );
  const result: Record<string, string[] | undefined> = {
    names: list(value(form, 'names')),
    sites: list(value(form, 'sites')),
    roles: roles.length > 0 ? roles : undefined,
  };
  const entries = Object.entries(result).filter(
    (entry): entry is [string, string[]] => entry[1] !== undefined,
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function policy(form: HTMLFormElement): Record<string, unknown> {
  const approval = form.elements.namedItem('approvalRequired') as HTMLInputElement | null;
  return {
    concurrency: Number(value(form, 'concurrency')),
    approvalRequired: approval?.checked ?? true,
    soakSeconds: Number(value(form, 'soakSeconds')),
    failureBudget: { overall: { count: Number(value(form, 'failureCount')) } },
    packageSha256: { x64: value(form, 'sha256').toLowerCase() },
  };
}

function planView(plan: Plan): HTMLElement {
  const rows = (entries: readonly LeftOut[]) =>
    entries.map((entry) => [entry.name, entry.code, entry.reason]);
  return h(
    'section',
    { 'aria-label': 'Plan preview', id: 'plan-preview' },
    h('h3', {}, `Plan preview: KB${plan.update.kb} → ${plan.update.build}`),
    ...plan.waves.map((wave, index) =>
      table(
        `Wave ${index + 1}: ${wave.name} (${wave.servers.length} servers)`,
        ['#', 'Server', 'From', 'Cluster', 'Steps'],
        wave.servers.map((server, order) => [
          order + 1,
          server.name,
          server.from,
          server.cluster ?? '—',
          server.steps.join(', '),
        ]),
      ),
    ),
    table('Skipped', ['Server', 'Code', 'Reason'], rows(plan.skipped)),
    table('Excluded', ['Server', 'Code', 'Reason'], rows(plan.excluded)),
  );
}

function formFields(): HTMLElement[] {
  return [
    h(
      'fieldset',
      {},
      h('legend', {}, 'Policy'),
      field('concurrency', 'Concurrency (servers at once)', {
        type: 'number',
        min: 1,
        value: 1,
        required: true,
      }),
      h(
        'div',
        { class: 'field' },
        h('input', { id: 'approvalRequired', name: 'approvalRequired', type: 'checkbox', checked: true }),
        h('label', { for: 'approvalRequired' }, 'Approval required before each wave after the first'),
      ),
      field('soakSeconds', 'Soak time between waves (seconds)', {
        type: 'number',
        min: 0,
        value: 0,
        required: true,
      }),
      field('failureCount', 'Failure budget (failed servers tolerated)', {
        type: 'number',
        min: 0,
        value: 0,
        required: true,
      }),
      field('sha256', `SHA-256 of ${X64_PACKAGE}`, {
        type: 'text',
        pattern: '[0-9a-fA-F]{64}',
        required: true,
        size: 66,
      }),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Selection (empty: the whole fleet)'),
      field('names', 'Servers (comma-separated)', { type: 'text' }),
      field('sites', 'Sites (comma-separated)', { type: 'text' }),
      ...EXCHANGE_ROLES.map((role) =>
        h(
          'span',
          { class: 'check' },
          h('input', { id: `role-${role}`, name: `role-${role}`, type: 'checkbox' }),
          h('label', { for: `role-${role}` }, role),
        ),
      ),
    ),
  ];
}

/** The new-rollout form: policy and selection, a plan preview from POST /api/v1/plans, then create. */
export async function newRolloutView(context: ViewContext): Promise<void> {
  const alert = h('p', { role: 'alert', class: 'error' });
  const preview = h('div');
  const canCreate = roleAllows(context.me.role, 'operator');
  const form: HTMLFormElement = h(
    'form',
    { class: 'new-rollout', 'aria-label': 'New rollout' },
    ...formFields(),
  );
  const showPlan = async () => {
    alert.textContent = '';
    try {
      const plan = await context.api.post<Plan>('/api/v1/plans', {
        update: KB959241.id,
        selection: selection(form),
      });
      preview.replaceChildren(planView(plan));
    } catch (error) {
      alert.textContent = describeError(error);
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.textContent = '';
    const body = { update: KB959241.id, selection: selection(form), policy: policy(form) };
    context.api
      .post<Rollout>('/api/v1/rollouts', body)
      .then((rollout) => context.navigate(`/rollouts/${rollout.id}`))
      .catch((error: unknown) => {
        alert.textContent = describeError(error);
      });
  });
  form.append(
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => void showPlan() }, 'Preview plan'),
      canCreate && h('button', { type: 'submit' }, 'Create rollout'),
    ),
  );
  context.main.append(h('h2', {}, `New rollout of ${KB959241.id}`), form, alert, preview);
}
