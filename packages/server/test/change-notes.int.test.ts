import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRollout, events, fleetFor, sim, until } from './fleet-helpers.js';
import { api, startTestServer, type TestServer } from './helpers.js';

const IU = 'Interim Update for Exchange Server 2007 SP1 Update Rollup 4 (KB957019)';

let server: TestServer;
let fleet: Fleet | undefined;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await server.close();
});

describe('the trail says what each step changed on the server (issue 14 item 11)', () => {
  it('notes the interim updates removed, the OWA backup and restore, and a restart msiexec asks for', async () => {
    fleet = await fleetFor(server, {
      servers: [
        sim('CAS-EXT1', ['ClientAccess'], {
          internetFacing: true,
          owaCustomized: true,
          interimUpdates: [IU],
          behaviour: { restartExitCode: 3010 },
        }),
      ],
    });
    const id = await createRollout(server, { approvalRequired: false });
    await api(server, 'POST', `/api/v1/rollouts/${id}/start`, server.admin, {});
    await until(server, id, ['completed'], 30_000);
    const notes = (await events(server, id)).filter((event) => event.server === 'CAS-EXT1');
    const byType = (type: string) => notes.find((event) => event.type === type);
    expect(byType('server.interim-updates-removed')).toMatchObject({
      actor: 'agent:CAS-EXT1',
      data: { removed: [IU] },
    });
    expect(byType('server.interim-updates-removed')?.message).toContain('a rollback does not put them back');
    expect(byType('server.owa-backed-up')?.data).toMatchObject({
      backupPath: expect.stringContaining('owa'),
    });
    expect(byType('server.owa-restored')?.data).toMatchObject({ backupPath: expect.stringContaining('owa') });
    expect(byType('server.restart-required')?.data).toEqual({ step: 'install' });
    // Each note follows the step it tells of.
    const order = notes.map((event) => event.type);
    expect(order.indexOf('server.owa-restored')).toBeGreaterThan(order.indexOf('server.owa-backed-up'));
  });
});
