import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fleetFor, SHA, sim, until } from '../../server/test/fleet-helpers.js';
import { api, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { cli } from './cli-helpers.js';

let server: TestServer;
let fleet: Fleet | undefined;
beforeEach(async () => {
  server = await startTestServer();
  fleet = await fleetFor(server, {
    servers: [
      sim('CAS-EXT1', ['ClientAccess'], { internetFacing: true }),
      sim('HUB1', ['HubTransport']),
      sim('HUB2', ['HubTransport'], { behaviour: { installFails: 'msi-return-value-3' } }),
    ],
  });
});
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await server.close();
});

const run = (...args: string[]) => cli(server, server.admin, ...args);

async function started(...flags: string[]): Promise<string> {
  const created = await run('rollouts', 'create', '--sha256', SHA, ...flags);
  const id = /^Created rollout (r-[0-9a-f]{10})$/m.exec(created.stdout)?.[1] ?? '';
  expect((await run('rollouts', 'start', id)).code).toBe(0);
  return id;
}

describe('exrollout rollouts watch', () => {
  it('ends with exit code 5 and the failures by error code when a rollout completes with failures', async () => {
    const id = await started('--no-approval', '--budget', '1', '--servers', 'HUB1,HUB2');
    const watched = await run('rollouts', 'watch', id);
    expect(watched.code).toBe(5);
    const lines = watched.stdout.trimEnd().split('\n');
    expect(lines.some((l) => l.startsWith('HUB2: failed at install: INSTALL_FAILED: '))).toBe(true);
    expect(lines.slice(-4)).toEqual([
      `rollout ${id} completed-with-failures (1 of 2 servers failed): 1 succeeded, 1 failed`,
      'Failures (1), by error code:',
      '  INSTALL_FAILED (1): HUB2',
      expect.stringMatching(
        /^ {4}next: The MSI rolled itself back: .*"Return Value 3".*include the servers in a new rollout/,
      ),
    ]);
    expect(watched.stderr).toBe(`exrollout: rollout ${id} completed with failures: 1 of 2 servers failed\n`);
    const shown = await run('rollouts', 'show', id);
    expect(shown.stdout).toContain('Failures (1), by error code:\n  INSTALL_FAILED (1): HUB2\n');
    expect((await run('rollouts', 'list')).stdout).toMatch(
      new RegExp(`${id} +KB959241 +completed-with-failures`),
    );
  });

  it('waits through an approval gate by default, and stops at one with --stop-at-gate (exit code 3)', async () => {
    const id = await started('--approval', '--servers', 'CAS-EXT1,HUB1');
    const stopped = await run('rollouts', 'watch', id, '--stop-at-gate');
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toMatch(new RegExp(`^exrollout: rollout ${id} stopped: awaiting-approval`));

    const watching = run('rollouts', 'watch', id);
    await until(server, id, ['awaiting-approval']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await api(server, 'POST', `/api/v1/rollouts/${id}/approve`, server.admin, {})).status).toBe(200);
    const watched = await watching;
    expect(watched.code).toBe(0);
    const lines = watched.stdout.trimEnd().split('\n');
    expect(lines).toContain(`rollout ${id}: awaiting-approval (wave 3 (remaining) needs approval)`);
    expect(lines).toContain(
      `waiting for an approver: exrollout rollouts approve ${id} (Ctrl-C stops watching)`,
    );
    expect(lines.at(-1)).toBe(`rollout ${id} completed: 2 succeeded`);
  });
});
