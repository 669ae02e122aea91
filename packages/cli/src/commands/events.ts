import type { Command } from 'commander';
import type { ApiClient } from '../api/client.js';
import type { RolloutEvent, RolloutView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { renderEvents } from '../render/rollouts.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';
import { sleep } from './watch.js';

/** States after which a rollout's audit trail gets no new events from the engine. */
export const TERMINAL_STATES: readonly string[] = ['completed', 'aborted', 'rolled-back'];

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
      const answer = await api.get(eventsPath(id), { server: options.server });
      show<{ events: RolloutEvent[] }>(context, options, answer, (value) => renderEvents(value.events));
    });
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
    const answer = (await api.get(eventsPath(id), { server: options.server, after })) as {
      events: RolloutEvent[];
    };
    for (const event of answer.events) {
      if (options.json) context.out.stdout.write(`${JSON.stringify(event)}\n`);
      else context.out.stdout.write(renderEvents([event], false));
    }
    after = answer.events.at(-1)?.id ?? after;
    if (TERMINAL_STATES.includes(rollout.state)) return;
    await sleep(context.pollMs);
  }
}

function eventsPath(id: string): string {
  return `/api/v1/rollouts/${encodeURIComponent(id)}/events`;
}
