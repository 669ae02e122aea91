import type { Api } from '../api.js';
import { h, table, when } from '../dom.js';
import type { EventsPage, RolloutEvent } from '../types.js';

const SHOWN = 100;

/** A rollout's audit trail as the dashboard holds it: every event read so far, in order, and the trail's counts. */
export class TrailReader {
  readonly events: RolloutEvent[] = [];
  total = 0;
  dropped = 0;
  #after: string | undefined;

  /** `query` narrows the trail, e.g. `server=HUB1`. */
  constructor(
    private readonly api: Api,
    private readonly rolloutId: string,
    private readonly query = '',
  ) {}

  /** Reads every page after the last event read, to the end of the trail as it is now. */
  async catchUp(): Promise<void> {
    for (;;) {
      const after = this.#after ? `&after=${this.#after}` : '';
      const page = await this.api.get<EventsPage>(
        `/api/v1/rollouts/${this.rolloutId}/events?limit=10000${after}${this.query ? `&${this.query}` : ''}`,
      );
      this.events.push(...page.events);
      this.total = page.total;
      this.dropped = page.dropped;
      this.#after = page.next ?? page.events.at(-1)?.id ?? this.#after;
      if (page.next === null) return;
    }
  }
}

/** The audit trail, newest first: the newest 100 events, or all of them, with how many there are and were dropped. */
export function trailTable(trail: TrailReader, showAll: boolean, toggle: () => void): HTMLElement {
  const count = trail.events.length;
  const rows = [...trail.events].reverse().slice(0, showAll ? count : SHOWN);
  const shown = rows.length < count ? `, newest ${rows.length} shown` : '';
  return h(
    'section',
    { class: 'trail' },
    table(
      `Audit trail: ${count.toLocaleString('en-US')} event${count === 1 ? '' : 's'}${shown} (newest first)`,
      ['When', 'Event', 'Server', 'Actor', 'Message'],
      rows.map((event) => [when(event.at), event.type, event.server ?? '', event.actor, event.message]),
    ),
    trail.dropped > 0 &&
      h(
        'p',
        { class: 'error', role: 'note' },
        `The oldest ${trail.dropped.toLocaleString('en-US')} of ${trail.total.toLocaleString('en-US')} events of this rollout were dropped by the server's bound on a trail (EXR_AUDIT_EVENTS_MAX).`,
      ),
    count > SHOWN &&
      h(
        'button',
        { type: 'button', onclick: toggle },
        showAll ? `Show the newest ${SHOWN} only` : `Show all ${count.toLocaleString('en-US')} events`,
      ),
  );
}
