import { silentLogger } from '@exrollout/agent';
import { startFleet } from '@exrollout/fleet-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { sim } from './fleet-helpers.js';
import { api, eventually, startTestServer } from './helpers.js';
import { startLink } from './link.js';

// Issue 19 item 7: a link that drops packets silently gave the agent no error, so it waited for its kernel (about
// 15 minutes). The agent expects the server's pings and reconnects after two intervals without one.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('an agent behind a link that is cut silently', () => {
  it('notices the missing pings and reconnects, and the server sees it online again', async () => {
    const server = await startTestServer({ heartbeatIntervalMs: 300, offlineAfterMs: 900 });
    cleanups.push(() => server.close());
    const link = await startLink(Number(new URL(server.url).port));
    cleanups.push(() => link.close());
    const token = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: 1 });
    const fleet = await startFleet({
      serverUrl: link.url,
      scenario: { servers: [sim('HUB01', ['HubTransport'])] },
      enrolToken: String(token.body.token),
      logger: silentLogger,
      reconnect: { baseMs: 50, maxMs: 200 },
    });
    cleanups.push(() => fleet.stop());
    await fleet.waitConnected(10_000);
    const agent = fleet.agent('HUB01');
    expect(agent.connections).toBe(1);

    link.cutSilently();
    await eventually(async () => agent.connections === 2, 10_000, 'the agent to reconnect');
    await eventually(
      async () => (await api(server, 'GET', '/api/v1/servers/HUB01', server.admin)).body.online === true,
      5000,
      'online again',
    );
    expect(agent.state).toBe('ready');
  });
});
