import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { RolloutEvent } from './model.js';

/**
 * Events kept per rollout unless configured otherwise: 0, no bound, so that a live rollout's trail is never
 * trimmed (archiving bounds what finished ones keep). With a bound, older events are dropped and counted.
 */
export const DEFAULT_EVENTS_MAX = 0;
/** The rollout hash's field counting every event ever appended, so that dropped ones can be told. */
const WRITTEN = 'events';
// A filtered page reads at most this many entries before it hands back a cursor to go on from.
const SCAN_MAX = 20_000;
const CHUNK = 2000;

/** One page of a rollout's audit trail, oldest first, and where the trail stands. */
export interface EventsPage {
  readonly events: RolloutEvent[];
  /** Pass as `after` for the next page; null when this page reached the end of the trail. */
  readonly next: string | null;
  /** Events the trail holds, dropped ones included, for every server. */
  readonly total: number;
  /** The oldest events the stream's bound removed; 0 unless the trail outgrew it. */
  readonly dropped: number;
}

/** What to read: after which event (exclusive), how many at most, and which of them. */
export interface EventsQuery {
  readonly after?: string;
  readonly limit: number;
  readonly matches?: (event: RolloutEvent) => boolean;
}

/** A rollout's audit trail: a Redis stream (of at most `max` events, if `max` > 0), with a count of every event appended. */
export class AuditTrail {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly max = DEFAULT_EVENTS_MAX,
  ) {}

  /** Appends events to the rollout's stream within a MULTI, and counts them. */
  append(multi: ChainableCommander, id: string, events: readonly Omit<RolloutEvent, 'id'>[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      const fields = ['at', event.at, 'actor', event.actor, 'type', event.type, 'message', event.message];
      if (event.server) fields.push('server', event.server);
      if (event.data) fields.push('data', JSON.stringify(event.data));
      if (this.max > 0) multi.xadd(this.keys.events(id), 'MAXLEN', '~', this.max, '*', ...fields);
      else multi.xadd(this.keys.events(id), '*', ...fields);
    }
    multi.hincrby(this.keys.rollout(id), WRITTEN, events.length);
  }

  /** Events after `afterId` (exclusive), oldest first. */
  async range(id: string, afterId = '-', count = 1000): Promise<RolloutEvent[]> {
    const start = afterId === '-' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.keys.events(id), start, '+', 'COUNT', count);
    return entries.map(([eventId, fields]) => toEvent(eventId, fields));
  }

  /** One page of the trail, with a cursor to the next and the count of events held and dropped. */
  async page(id: string, query: EventsQuery): Promise<EventsPage> {
    const [scan, counts] = await Promise.all([this.scan(id, query), this.counts(id)]);
    return { ...scan, ...counts };
  }

  /** Waits up to `blockMs` for events after `afterId`, on a connection of the caller's (blocking). */
  async wait(connection: Redis, id: string, afterId: string, blockMs: number): Promise<RolloutEvent[]> {
    const reply = await connection.xread(
      'COUNT',
      500,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.keys.events(id),
      afterId,
    );
    const entries = reply?.[0]?.[1] ?? [];
    return entries.map(([eventId, fields]) => toEvent(eventId, fields));
  }

  private async scan(id: string, query: EventsQuery): Promise<Pick<EventsPage, 'events' | 'next'>> {
    const events: RolloutEvent[] = [];
    let cursor = query.after ?? '-';
    for (let scanned = 0; scanned < SCAN_MAX; ) {
      const want = query.matches ? CHUNK : query.limit - events.length;
      const chunk = await this.range(id, cursor, want);
      for (const event of chunk) {
        cursor = event.id;
        scanned++;
        if (query.matches && !query.matches(event)) continue;
        events.push(event);
        if (events.length === query.limit) return { events, next: await this.nextAfter(id, cursor) };
      }
      if (chunk.length < want) return { events, next: null };
    }
    return { events, next: cursor };
  }

  private async nextAfter(id: string, cursor: string): Promise<string | null> {
    return (await this.range(id, cursor, 1)).length > 0 ? cursor : null;
  }

  /** How many events the trail ever held, and how many of them its bound dropped. */
  async counts(id: string): Promise<Pick<EventsPage, 'total' | 'dropped'>> {
    const [written, length] = await Promise.all([
      this.redis.hget(this.keys.rollout(id), WRITTEN),
      this.redis.xlen(this.keys.events(id)),
    ]);
    // A rollout from before the count was kept has dropped nothing that can be told.
    const total = Math.max(Number(written ?? 0), length);
    return { total, dropped: total - length };
  }
}

function toEvent(id: string, flat: string[]): RolloutEvent {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return {
    id,
    at: fields.at ?? '',
    actor: fields.actor ?? '',
    type: fields.type ?? '',
    message: fields.message ?? '',
    ...(fields.server ? { server: fields.server } : {}),
    ...(fields.data ? { data: JSON.parse(fields.data) as Record<string, unknown> } : {}),
  };
}
