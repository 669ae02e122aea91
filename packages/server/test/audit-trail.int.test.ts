import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createRollout, fleetFor, sim, until, writeEvents } from './fleet-helpers.js';
import { api, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await server?.close();
  server = undefined;
});

interface Page {
  events: { id: string; type: string; server?: string }[];
  next: string | null;
  total: number;
  dropped: number;
}

const page = async (s: TestServer, id: string, query = '') =>
  (await api(s, 'GET', `/api/v1/rollouts/${id}/events${query}`, s.admin)).body as unknown as Page;

async function readAll(s: TestServer, id: string, query: string): Promise<Page> {
  const all: Page['events'] = [];
  let last: Page | undefined;
  for (let after = ''; ; ) {
    last = await page(s, id, `?${query}${after ? `&after=${after}` : ''}`);
    all.push(...last.events);
    if (!last.next) return { ...last, events: all };
    after = last.next;
  }
}

describe('the audit trail of a long rollout', () => {
  it('pages to the very end, says how many events there are, and filters by server across pages', async () => {
    server = await startTestServer();
    fleet = await fleetFor(server, { servers: [sim('HUB1', ['HubTransport'])] });
    const id = await createRollout(server, { approvalRequired: false });
    await writeEvents(server, id, 12_000);
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['completed']);

    const first = await page(server, id);
    expect(first.events).toHaveLength(1000);
    expect(first.next).toBe(first.events.at(-1)?.id);
    const all = await readAll(server, id, 'limit=5000');
    expect(all.dropped).toBe(0);
    expect(all.events).toHaveLength(all.total);
    expect(all.total).toBeGreaterThan(12_000);
    expect(all.events[0]?.type).toBe('rollout.created');
    expect(all.events.at(-1)?.type).toBe('rollout.completed');
    expect(new Set(all.events.map((e) => e.id)).size).toBe(all.total);

    const hub = await readAll(server, id, 'server=hub1&limit=3');
    expect(hub.events.length).toBeGreaterThan(3);
    expect(hub.events.every((e) => e.server === 'HUB1')).toBe(true);
    expect(hub.events.map((e) => e.id)).toEqual(
      all.events.filter((e) => e.server === 'HUB1').map((e) => e.id),
    );
    expect(hub.total).toBe(all.total);
    expect((await page(server, id, '?limit=10001')).events).toBeUndefined();
  });

  it('says how many of the oldest events the bound on a trail dropped', async () => {
    server = await startTestServer({ auditEventsMax: 1000 });
    fleet = await fleetFor(server, { servers: [sim('HUB1', ['HubTransport'])] });
    const id = await createRollout(server, { approvalRequired: false });
    await writeEvents(server, id, 5000);
    const all = await readAll(server, id, 'limit=10000');
    expect(all.total).toBe(5001);
    expect(all.dropped).toBeGreaterThan(0);
    expect(all.events).toHaveLength(all.total - all.dropped);
    expect(all.events.at(-1)?.type).toBe('server.step-started');
  });

  it("never trims a live rollout's trail by default, however long: its rollout.created stays", async () => {
    // Issue 19 item 5: the trail was trimmed at about 100,000 events, so a rollout of 10,300 servers started
    // dropping its own rollout.created while it ran.
    server = await startTestServer();
    fleet = await fleetFor(server, { servers: [sim('HUB1', ['HubTransport'])] });
    const id = await createRollout(server, { approvalRequired: false });
    await writeEvents(server, id, 101_000);
    const first = await page(server, id, '?limit=1');
    expect(first).toMatchObject({ total: 101_001, dropped: 0 });
    expect(first.events[0]?.type).toBe('rollout.created');
  });
});
