import type { Command } from 'commander';
import type { ApiClient } from '../api/client.js';
import type { EventsPage, RolloutView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { renderEvents, renderTrailCount } from '../render/rollouts.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';
import { sleep } from './watch.js';

/** States after which a rollout's audit trail gets no new events from the engine. */
export const TERMINAL_STATES: readonly string[] = [
  'completed',
  'completed-with-failures',
  'aborted',
  'rolled-back',
];
// The largest page the API serves: the fewest round trips through a long trail.
const PAGE = '10000';

interface EventsOptions extends ApiOptions {
  readonly server?: string;
  readonly follow?: boolean;
}

/** Registers `rollouts events ID [--server NAME] [--follow]`. */
export function registerEvents(rollouts: Command, context: CliContext): void {
  apiCommand(rollouts, 'events <id>', "A rollout's audit trail: who did what, when and why.", {
    serverIsName: true,
  })
    .option('--server <name>', 'only events about this Exchange server')
    .option('-f, --follow', 'keep printing new events until the rollout completes, aborts or is rolled back')
    .action(async (id: string, options: EventsOptions) => {
      const api = client(options, context, true);
      if (options.follow) return follow(api, id, options, context);
      const trail = await readTrail(api, id, options.server);
      show<EventsPage>(
        context,
        options,
        trail,
        (value) => `${renderEvents(value.events)}${renderTrailCount(value, options.server)}`,
      );
    });
}

/** Every event of a rollout's trail after `after`, page by page to the end, with the trail's counts. */
export async function readTrail(
  api: ApiClient,
  id: string,
  server?: string,
  after?: string,
): Promise<EventsPage> {
  const events: EventsPage['events'] = [];
  let cursor = after;
  for (;;) {
    const page = (await api.get(eventsPath(id), { server, after: cursor, limit: PAGE })) as EventsPage;
    events.push(...page.events);
    if (page.next === null) return { ...page, events, next: null };
    cursor = page.next;
  }
}

async function follow(
  api: ApiClient,
  id: string,
  options: EventsOptions,
  context: CliContext,
): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const rollout = (await api.get(`/api/v1/rollouts/${encodeURIComponent(id)}`)) as RolloutView;
    const { events } = await readTrail(api, id, options.server, after);
    for (const event of events) {
      if (options.json) context.out.stdout.write(`${JSON.stringify(event)}\n`);
      else context.out.stdout.write(renderEvents([event], false));
    }
    after = events.at(-1)?.id ?? after;
    if (TERMINAL_STATES.includes(rollout.state)) return;
    await sleep(context.pollMs);
  }
}

function eventsPath(id: string): string {
  return `/api/v1/rollouts/${encodeURIComponent(id)}/events`;
}
