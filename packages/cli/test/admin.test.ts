import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet } from '@exrollout/fleet-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetFor, SHA, sim } from '../../server/test/fleet-helpers.js';
import { api, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { runCli } from '../src/run.js';
import { cli, json } from './cli-helpers.js';

let server: TestServer;
let fleet: Fleet;
let dir = '';
beforeAll(async () => {
  server = await startTestServer();
  fleet = await fleetFor(server, { servers: [sim('EX1', ['Mailbox']), sim('EX2', ['HubTransport'])] });
  dir = await mkdtemp(join(tmpdir(), 'exrollout-cli-admin-'));
});
afterAll(async () => {
  await fleet?.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => cli(server, server.admin, ...args);

describe('exrollout tokens, enrolment-tokens and agents', () => {
  it('creates, lists and revokes operator tokens; a viewer is refused admin work', async () => {
    const created = await run('tokens', 'create', '--name', 'noc', '--role', 'viewer');
    expect(created.code).toBe(0);
    const [secret = '', note = ''] = created.stdout.split('\n');
    expect(secret).toMatch(/^exo_/);
    expect(note).toMatch(/^Operator token \S+ "noc" \(viewer\) created\. It is shown only now/);
    const listed = await run('tokens', 'list');
    expect(listed.stdout).toMatch(/^ID +NAME +ROLE +CREATED/);
    expect(listed.stdout).toMatch(/ noc +viewer /);
    expect(listed.stdout).not.toContain(secret);

    expect((await cli(server, secret, 'servers', 'list')).code).toBe(0);
    const refused = await cli(server, secret, 'tokens', 'list');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^exrollout: SRV_ERR_AUTH_FORBIDDEN: /);

    const tokens = json<{ tokens: { id: string; name: string }[] }>(await run('tokens', 'list', '--json'));
    expect(tokens).toEqual((await api(server, 'GET', '/api/v1/tokens', server.admin)).body);
    const id = tokens.tokens.find((t) => t.name === 'noc')?.id ?? '';
    expect((await run('tokens', 'revoke', id)).stdout).toBe(`Revoked operator token ${id}.\n`);
    expect((await cli(server, secret, 'servers', 'list')).code).toBe(3);
    expect((await run('tokens', 'create', '--name', 'x', '--role', 'root')).code).toBe(2);
  });

  it('creates enrolment tokens, lists and revokes agents', async () => {
    const issued = await run(
      'enrolment-tokens',
      'create',
      '--uses',
      '5',
      '--ttl',
      '600',
      '--reenrol',
      '--json',
    );
    expect(json(issued)).toMatchObject({ uses: 5, reenrol: true, token: expect.stringMatching(/^exe_/) });
    const plain = await run('enrolment-tokens', 'create');
    expect(plain.stdout).toMatch(/^exe_\S+\nEnrolment token \S+: 1 use, expires /);
    const tooShort = await run('enrolment-tokens', 'create', '--ttl', '5');
    expect(tooShort.code).toBe(3);
    expect(tooShort.stderr).toMatch(/^exrollout: SRV_ERR_VALIDATION: /);

    const agents = await run('agents', 'list');
    expect(agents.stdout).toMatch(/^AGENT +ENROLLED\nEX1 .*\nEX2 /);
    expect((await run('agents', 'revoke', 'EX2')).stdout).toBe('Revoked agent EX2.\n');
    const after = json<{ agents: { name: string }[] }>(await run('agents', 'list', '--json'));
    expect(after.agents.map((a) => a.name)).toEqual(['EX1']);
    expect((await run('agents', 'revoke', 'EX2')).code).toBe(3);
  });

  it('creates a rollout from a policy file, with flags overriding it', async () => {
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ packageSha256: { x64: SHA }, concurrency: 3, soakSeconds: 60 }));
    const created = await run(
      'rollouts',
      'create',
      '--policy',
      policy,
      '--soak',
      '5',
      '--roles',
      'mailbox',
      '--json',
    );
    expect(created.code).toBe(0);
    const view = json<{ policy: Record<string, unknown>; waves: { servers: { name: string }[] }[] }>(created);
    expect(view.policy).toMatchObject({ concurrency: 3, soakSeconds: 5 });
    expect(view.waves.flatMap((w) => w.servers.map((s) => s.name))).toEqual(['EX1']);
    expect((await run('rollouts', 'create', '--policy', join(dir, 'none.json'))).code).toBe(2);
  });
});

describe('exrollout server and agent', () => {
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };

  it('start the processes with the arguments passed through, and forward their exit code', async () => {
    expect(await runCli(['agent', '--version'], quiet)).toBe(0);
    expect(await runCli(['server', 'no-such-command'], quiet)).toBe(2);
  });
});
