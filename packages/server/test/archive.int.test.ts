import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createRollout, events, fleetFor, rollout, sim, until } from './fleet-helpers.js';
import { api, eventually, startTestServer, type TestServer } from './helpers.js';

// Issue 19 item 5: rollouts were kept for ever (about 9 MB for 1,850 servers and its rollback). A finished
// rollout is archived after EXR_ARCHIVE_AFTER_SECONDS: its working keys go, and what an operator reads stays.
let server: TestServer | undefined;
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  await server?.close();
  fleet = undefined;
  server = undefined;
});

async function keysOf(target: TestServer, id: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await target.redis.scan(cursor, 'MATCH', `${target.prefix}*${id}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  // BullMQ's jobs of the rollout (delayed watches that will find nothing to do) have bounds of their own.
  return found
    .map((key) => key.slice(target.prefix.length))
    .filter((key) => !key.startsWith('bull:'))
    .sort();
}

describe('archiving finished rollouts', () => {
  it('replaces the working keys by one record that show, list and events still read; actions are refused', async () => {
    server = await startTestServer({ archiveAfterSeconds: 1 });
    const names = ['HUB01', 'HUB02', 'HUB03', 'HUB04'];
    fleet = await fleetFor(server, { servers: names.map((name) => sim(name, ['HubTransport'])) });
    const id = await createRollout(server, { approvalRequired: false, concurrency: 2 });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    const live = await until(server, id, ['completed'], 30_000);
    const trail = await events(server, id);
    expect((await keysOf(server, id)).length).toBeGreaterThan(names.length);

    const target = server;
    await eventually(async () => (await keysOf(target, id)).join() === `archive:${id}`, 10_000, 'archived');
    const shown = await rollout(server, id);
    expect(shown).toEqual(live);
    expect(await events(server, id)).toEqual(trail);
    const page = await api(server, 'GET', `/api/v1/rollouts/${id}/events?limit=3&server=HUB02`, server.admin);
    expect((page.body.events as unknown as { server: string }[]).map((event) => event.server)).toEqual([
      'HUB02',
      'HUB02',
      'HUB02',
    ]);
    expect(page.body.next).toEqual(expect.any(String));
    expect(page.body).toMatchObject({ total: trail.length, dropped: 0 });
    const listed = await api(server, 'GET', '/api/v1/rollouts', server.admin);
    expect(listed.body.rollouts).toEqual([expect.objectContaining({ id, state: 'completed' })]);
    const followed = await fetch(`${server.url}/api/v1/rollouts/${id}/events?follow=true`, {
      headers: { authorization: `Bearer ${server.admin}` },
    });
    const text = await followed.text();
    expect(text.match(/event: rollout-event/g)).toHaveLength(trail.length);
    expect(text).toContain('event: closed');

    const refused = await api(server, 'POST', `/api/v1/rollouts/${id}/rollback`, server.admin, {
      reason: 'late',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SRV_ERR_ROLLOUT_ARCHIVED');
  });
});
