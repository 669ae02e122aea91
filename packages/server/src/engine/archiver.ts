import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { ArchivedRollout, RolloutArchive } from './archive.js';
import type { RolloutEvent } from './model.js';
import type { RolloutStore } from './store.js';
import type { RolloutView } from './views.js';

/** What archiving one rollout takes. */
export interface ArchiveDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly store: RolloutStore;
  readonly archive: RolloutArchive;
}

const PAGE = 10_000;

/**
 * Replaces a finished rollout's working keys (its record and plan, wave states, runs, applied commands, audit
 * stream) by one compressed record, in one MULTI; the caller holds the rollout's lock. Returns the record's size.
 */
export async function archiveRollout(deps: ArchiveDeps, view: RolloutView, now: Date): Promise<number> {
  const { id } = view;
  const events = await allEvents(deps.store, id);
  const { total } = await deps.store.trail.counts(id);
  const record: ArchivedRollout = { archivedAt: now.toISOString(), view, events, total };
  const multi = deps.redis.multi();
  const size = deps.archive.write(multi, id, record);
  const runKeys = view.waves.flatMap((wave) => wave.servers.map((server) => deps.keys.run(id, server.name)));
  multi.del(
    deps.keys.rollout(id),
    deps.keys.events(id),
    deps.keys.doneCommands(id),
    ...view.waves.map((_wave, index) => deps.keys.waveStates(id, index)),
  );
  // One DEL per thousand keys: a 10,000-server rollout must not make one command of 10,000 arguments.
  for (let i = 0; i < runKeys.length; i += 1000) multi.del(...runKeys.slice(i, i + 1000));
  await multi.exec();
  deps.store.forget(id);
  return size;
}

async function allEvents(store: RolloutStore, id: string): Promise<RolloutEvent[]> {
  const events: RolloutEvent[] = [];
  for (let after = '-'; ; ) {
    const page = await store.trail.range(id, after, PAGE);
    events.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || !last) return events;
    after = last.id;
  }
}
