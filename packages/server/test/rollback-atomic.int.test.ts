import type { Fleet } from '@exrollout/fleet-sim';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisKeys } from '../src/redis-keys.js';
import { createRollout, fleetFor, sim, until } from './fleet-helpers.js';
import { api, startTestServer, type TestServer } from './helpers.js';

// Issue 19 item 3: a rollback wrote its own result, then the original rollout's in a second write, so a crash in
// between (a primary kill -9 20 ms after a server.rolled-back) left the two disagreeing for good. A reader that
// snapshots both rollouts in one MULTI, as often as it can, must never find a server rolled back in the rollback
// but not in the rollout it undoes, nor a finished rollback whose rollout is still rolling back.
let server: TestServer | undefined;
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  await server?.close();
  fleet = undefined;
  server = undefined;
});

interface Snapshot {
  readonly disagreements: string[];
  readonly done: boolean;
}

async function snapshot(redis: Redis, prefix: string, ids: [string, string], names: readonly string[]) {
  const keys = redisKeys(prefix);
  const [parentId, childId] = ids;
  const multi = redis.multi();
  for (const name of names) multi.get(keys.run(childId, name)).get(keys.run(parentId, name));
  multi.hget(keys.rollout(childId), 'state').hget(keys.rollout(parentId), 'state');
  const replies = ((await multi.exec()) ?? []).map(([, value]) => value as string | null);
  const state = (text: string | null | undefined) =>
    text ? (JSON.parse(text) as { state: string }).state : '';
  const disagreements: string[] = [];
  names.forEach((name, i) => {
    const [child, parent] = [state(replies[2 * i]), state(replies[2 * i + 1])];
    if (child === 'rolled-back' && parent !== 'rolled-back')
      disagreements.push(`${name}: ${child} / ${parent}`);
  });
  const [childState, parentState] = replies.slice(-2);
  const childEnded = [
    '"completed"',
    'completed',
    '"completed-with-failures"',
    'completed-with-failures',
  ].includes(childState ?? '');
  if (childEnded && (parentState ?? '').includes('rolling-back'))
    disagreements.push(`rollback ${childState}, rollout ${parentState}`);
  return { disagreements, done: childEnded } satisfies Snapshot;
}

describe('a rollback and the rollout it undoes', () => {
  it('are never seen disagreeing: each server.rolled-back reaches both in one commit', async () => {
    server = await startTestServer();
    const names = Array.from({ length: 12 }, (_, i) => `HUB${String(i + 1).padStart(2, '0')}`);
    fleet = await fleetFor(server, {
      servers: names.map((name) => sim(name, ['HubTransport'], { behaviour: { installSeconds: 0.05 } })),
    });
    const id = await createRollout(server, { approvalRequired: false, concurrency: 12 });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['completed'], 30_000);
    const started = await api(server, 'POST', `/api/v1/rollouts/${id}/rollback`, server.admin, {
      reason: 'atomicity check',
    });
    const childId = String(started.body.rollbackId);
    const reader = server.redis.duplicate();
    const seen = new Set<string>();
    let reads = 0;
    try {
      for (let done = false; !done; reads++) {
        const found = await snapshot(reader, server.prefix, [id, childId], names);
        for (const disagreement of found.disagreements) seen.add(disagreement);
        done = found.done;
      }
    } finally {
      reader.disconnect();
    }
    const finished = await until(server, id, ['rolled-back'], 30_000);
    expect(finished.counts).toMatchObject({ 'rolled-back': names.length, succeeded: 0 });
    expect(reads).toBeGreaterThan(10);
    expect([...seen]).toEqual([]);
  });
});
