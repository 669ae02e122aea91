import type { InventoryStore, ServerRecord } from '../stores/inventory-store.js';
import type { ServerRun } from './model.js';
import type { RolloutStore } from './store.js';
import type { Work } from './work.js';

/** The run as this work sees it: changed here, read ahead, or read now. */
export async function runOf(work: Work, store: RolloutStore, name: string): Promise<ServerRun | undefined> {
  const key = name.toLowerCase();
  const changed = work.changedRun(key);
  if (changed) return changed;
  if (work.readAhead.runs.has(key)) return work.readAhead.runs.get(key);
  return store.run(work.meta.id, name);
}

/** A server's live inventory record, as read ahead for this work or read now. */
export async function recordOf(
  work: Work,
  inventory: InventoryStore,
  name: string,
): Promise<ServerRecord | undefined> {
  const key = name.toLowerCase();
  if (work.readAhead.records.has(key)) return work.readAhead.records.get(key);
  return inventory.get(name);
}

/**
 * Reads the runs and inventory records of these servers at once, so that the changes of a batch do not each
 * wait for their own round trips to Redis, one after another.
 */
export async function readAhead(
  work: Work,
  store: RolloutStore,
  inventory: InventoryStore,
  names: readonly string[],
): Promise<void> {
  const wanted = [...new Set(names.map((name) => name.toLowerCase()))].filter(
    (key) => !work.readAhead.runs.has(key) && !work.changedRun(key),
  );
  if (wanted.length === 0) return;
  const [runs, records] = await Promise.all([
    store.runsByName(work.meta.id, wanted),
    Promise.all(wanted.map((key) => inventory.get(key))),
  ]);
  wanted.forEach((key, index) => {
    work.readAhead.runs.set(key, runs.get(key));
    work.readAhead.records.set(key, records[index]);
  });
}
