import type { Fleet } from '@exrollout/fleet-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fleetFor, SHA, sim, writeEvents } from '../../server/test/fleet-helpers.js';
import { api, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { cli, json } from './cli-helpers.js';

let server: TestServer;
let fleet: Fleet | undefined;
beforeEach(async () => {
  server = await startTestServer();
  fleet = await fleetFor(server, {
    servers: [
      sim('CAS-EXT1', ['ClientAccess'], { internetFacing: true }),
      sim('CAS-INT1', ['ClientAccess']),
      sim('HUB1', ['HubTransport']),
    ],
  });
});
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await server.close();
});

const run = (...args: string[]) => cli(server, server.admin, ...args);

async function create(...flags: string[]): Promise<string> {
  const created = await run('rollouts', 'create', '--sha256', SHA, ...flags);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const id = /^Created rollout (r-[0-9a-f]{10})$/m.exec(created.stdout)?.[1];
  expect(id).toBeDefined();
  return id ?? '';
}

describe('exrollout rollouts', () => {
  it('creates, starts and watches a rollout until it completes, then rolls one server back', async () => {
    const id = await create('--concurrency', '2', '--no-approval', '--budget', '1');
    const view = json<{ state: string; policy: Record<string, unknown> }>(
      await run('rollouts', 'show', id, '--json'),
    );
    expect(view).toEqual((await api(server, 'GET', `/api/v1/rollouts/${id}`, server.admin)).body);
    expect(view.policy).toMatchObject({ concurrency: 2, approvalRequired: false });
    expect((await run('rollouts', 'show', id)).stdout).toMatch(
      /Wave 1 of 3: cas-internet-facing \(pending\)/,
    );

    const refused = await run('rollouts', 'pause', id);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^exrollout: SRV_ERR_ROLLOUT_STATE: .+\n$/);

    const started = await run('rollouts', 'start', id, '--reason', 'change 4711');
    expect(started.stdout).toMatch(new RegExp(`^${id}  KB959241  running`));
    const watched = await run('rollouts', 'watch', id);
    expect(watched.stderr).toBe('');
    expect(watched.code).toBe(0);
    const lines = watched.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`rollout ${id}: running`);
    expect(lines).toContain('CAS-EXT1: succeeded on 8.1.340.1');
    expect(lines).toContain('HUB1: succeeded on 8.1.340.1');
    expect(lines).toContain('wave 1/3 cas-internet-facing: completed 1/1 done');
    expect(lines).toContain('wave 3/3 remaining: completed 1/1 done');
    expect(lines).toContain(`rollout ${id}: completed`);
    expect(lines.at(-1)).toBe(`rollout ${id} completed: 3 succeeded`);
    expect(new Set(lines).size).toBe(lines.length);

    const listed = await run('rollouts', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${id} +KB959241 +completed +3 succeeded`));

    const rolled = await run('rollouts', 'rollback', id, '--reason', 'OWA logons fail', '--server', 'HUB1');
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toMatch(
      new RegExp(`^${id}  KB959241  rolling-back .*; rollback r-[0-9a-f]{10}\\n$`),
    );
    const back = await run('rollouts', 'watch', id);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`rollout ${id} completed.*: 2 succeeded, 1 rolled-back\\n$`));

    const events = await run('rollouts', 'events', id, '--server', 'HUB1');
    expect(events.stdout).toMatch(/^AT +TYPE +SERVER +ACTOR +MESSAGE/);
    expect(events.stdout).toMatch(/server\.succeeded +HUB1/);
    expect(events.stdout).not.toMatch(/CAS-EXT1/);
    const all = await run('rollouts', 'events', id, '--json');
    const trail = json<{ events: { type: string; message: string }[] }>(all);
    expect(trail).toEqual((await api(server, 'GET', `/api/v1/rollouts/${id}/events`, server.admin)).body);
    expect(trail.events.some((e) => e.message.includes('OWA logons fail'))).toBe(true);
    expect(trail.events.some((e) => e.message.includes('change 4711'))).toBe(true);
    const followed = await run('rollouts', 'events', id, '--follow', '--json');
    expect(followed.code).toBe(0);
    expect(
      followed.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(trail.events);
  });

  it('watch --stop-at-gate stops with exit code 3 at an approval gate; approve and abort act on it', async () => {
    const id = await create('--approval', '--servers', 'CAS-EXT1,CAS-INT1');
    expect((await run('rollouts', 'start', id)).code).toBe(0);
    const watched = await run('rollouts', 'watch', id, '--stop-at-gate');
    expect(watched.code).toBe(3);
    expect(watched.stdout).toMatch(
      new RegExp(
        `rollout ${id} awaiting-approval \\(wave 2 \\(cas-internal\\) needs approval\\): 1 pending, 1 succeeded\\n$`,
      ),
    );
    expect(watched.stderr).toMatch(new RegExp(`^exrollout: rollout ${id} stopped: awaiting-approval`));

    const approved = await run('rollouts', 'approve', id, '--json');
    expect(json(approved)).toMatchObject({ id, state: 'running' });
    const follower = run('rollouts', 'events', id, '--follow');
    const aborted = await run('rollouts', 'abort', id, '--reason', 'change window closed');
    expect(aborted.stdout).toMatch(/aborted/);
    const followed = await follower;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/rollout\.aborted .*change window closed/);

    const rollback = await cli(server, 'exo_unknown', 'rollouts', 'rollback', id, '--reason', 'x');
    expect(rollback.code).toBe(3);
    expect(rollback.stderr).toMatch(/^exrollout: SRV_ERR_AUTH_REQUIRED: /);
    const missing = await run('rollouts', 'rollback', id);
    expect(missing.code).toBe(2);
  });

  it('events prints the whole trail of a long rollout, page by page, and says how many events there are', async () => {
    const id = await create('--no-approval', '--servers', 'HUB1');
    await writeEvents(server, id, 10_500);
    expect((await run('rollouts', 'start', id)).code).toBe(0);
    expect((await run('rollouts', 'watch', id)).code).toBe(0);
    const page = (await api(server, 'GET', `/api/v1/rollouts/${id}/events?limit=1`, server.admin)).body;
    const total = Number(page.total);
    expect(total).toBeGreaterThan(10_500);

    const printed = await run('rollouts', 'events', id);
    const lines = printed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(total + 2);
    expect(lines[1]).toMatch(/rollout\.created/);
    expect(lines.at(-2)).toMatch(/rollout\.completed/);
    expect(lines.at(-1)).toBe(`${total.toLocaleString('en-US')} events`);
    const about = await run('rollouts', 'events', id, '--server', 'HUB1');
    expect(about.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^\\d+ events about HUB1 \\(${total.toLocaleString('en-US')} events in the trail\\)$`),
    );
    const all = json<{ events: { type: string }[]; next: null; total: number; dropped: number }>(
      await run('rollouts', 'events', id, '--json'),
    );
    expect(all).toMatchObject({ next: null, total, dropped: 0 });
    expect(all.events).toHaveLength(total);
    expect(all.events.at(-1)?.type).toBe('rollout.completed');
  });

  it('create needs a package hash or a policy file', async () => {
    const result = await run('rollouts', 'create', '--concurrency', '2');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--policy FILE or --sha256 HEX/);
    expect((await run('rollouts', 'create', '--sha256', 'abc')).code).toBe(2);
  });
});
