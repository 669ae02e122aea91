import { gunzipSync, gzipSync } from 'node:zlib';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { RolloutEvent } from './model.js';
import type { RolloutView } from './views.js';

/** What an archived rollout keeps: its last view (waves and servers) and its whole audit trail. */
export interface ArchivedRollout {
  readonly archivedAt: string;
  readonly view: RolloutView;
  readonly events: readonly RolloutEvent[];
  /** Events the trail ever held, those its bound had dropped included. */
  readonly total: number;
}

// Reading one archive means fetching and unzipping it: a page-through of its trail reuses the last few.
const CACHE_SIZE = 8;

/** Finished rollouts kept as one gzipped record each, read back by `rollouts show` and the events routes. */
export class RolloutArchive {
  private readonly cache = new Map<string, ArchivedRollout>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The archived rollout, or undefined if it was never archived. */
  async get(id: string): Promise<ArchivedRollout | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const buffer = await this.redis.hgetBuffer(this.keys.archive(id), 'record');
    if (buffer === null) return undefined;
    const record = JSON.parse(gunzipSync(buffer).toString('utf8')) as ArchivedRollout;
    this.cache.set(id, record);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return record;
  }

  /** The archived rollout without its servers, as a list shows it; undefined if it was never archived. */
  async summary(id: string): Promise<Omit<RolloutView, 'waves'> | undefined> {
    const text = await this.redis.hget(this.keys.archive(id), 'summary');
    return text === null ? undefined : (JSON.parse(text) as Omit<RolloutView, 'waves'>);
  }

  /** Writes the record (and, beside it, the summary a list reads) within a MULTI; returns its compressed size. */
  write(multi: ChainableCommander, id: string, record: ArchivedRollout): number {
    const buffer = gzipSync(JSON.stringify(record));
    const { waves: _waves, ...summary } = record.view;
    multi.hset(this.keys.archive(id), 'record', buffer, 'summary', JSON.stringify(summary));
    return buffer.length;
  }
}

/** What to read of an archived trail: the same query as a live trail's page. */
export interface ArchivedQuery {
  readonly after?: string;
  readonly limit: number;
  readonly matches?: (event: RolloutEvent) => boolean;
}

/** One page of an archived trail, as AuditTrail.page answers for a live one. */
export function archivedPage(record: ArchivedRollout, query: ArchivedQuery) {
  const start = query.after ? record.events.findIndex((event) => event.id === query.after) + 1 : 0;
  const events: RolloutEvent[] = [];
  let index = start;
  for (; index < record.events.length && events.length < query.limit; index++) {
    const event = record.events[index] as RolloutEvent;
    if (!query.matches || query.matches(event)) events.push(event);
  }
  const more = record.events.slice(index).some((event) => !query.matches || query.matches(event));
  return {
    events,
    next: more ? (record.events[index - 1]?.id ?? null) : null,
    total: record.total,
    dropped: record.total - record.events.length,
  };
}
