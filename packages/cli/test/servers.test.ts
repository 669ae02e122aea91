import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Fleet } from '@exrollout/fleet-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetFor, sim } from '../../server/test/fleet-helpers.js';
import { api, startTestServer, type TestServer } from '../../server/test/helpers.js';
import { freePort } from '../../server/test/redis-process.js';
import { cli, json } from './cli-helpers.js';

const cliMain = join(import.meta.dirname, '..', 'bin', 'exrollout.mjs');

let server: TestServer;
let fleet: Fleet;
beforeAll(async () => {
  server = await startTestServer();
  fleet = await fleetFor(server, {
    servers: [
      sim('CAS1', ['ClientAccess'], { site: 'HQ', internetFacing: true }),
      sim('HUB1', ['HubTransport'], { site: 'Branch' }),
      sim('NEW1', ['Mailbox'], { build: '8.1.340.1' }),
      sim('OLD1', ['Mailbox'], { build: '8.0.685.25' }),
    ],
  });
});
afterAll(async () => {
  await fleet?.stop();
  await server?.close();
});

const run = (...args: string[]) => cli(server, server.admin, ...args);

describe('exrollout servers and compliance', () => {
  it('lists servers as a table, filtered', async () => {
    const all = await run('servers', 'list');
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^SERVER +SITE +ROLES +BUILD +ROLLUP +AGENT +COMPLIANCE/);
    expect(all.stdout).toMatch(/CAS1 +HQ +ClientAccess +8\.1\.311\.3 +SP1 RU4 +online +needs-update/);
    expect(all.stdout).toMatch(/OLD1 .* excluded \(NOT_SP1\)/);
    expect(all.stdout).toMatch(/4 servers\n$/);
    const branch = await run('servers', 'list', '--site', 'branch', '--role', 'hubtransport');
    expect(branch.stdout).toMatch(/HUB1/);
    expect(branch.stdout).not.toMatch(/CAS1/);
    const current = await run('servers', 'list', '--compliance', 'current');
    expect(current.stdout).toMatch(/NEW1 .* current/);
    expect(current.stdout).toMatch(/1 server\n$/);
    expect((await run('servers', 'list', '--offline')).stdout).toBe('No servers match.\n');
    expect((await run('servers', 'list', '--online')).stdout).toMatch(/4 servers/);
  });

  it('with --json prints exactly the API answer', async () => {
    // Heartbeats move lastSeen between the two reads; everything else must be the same.
    const settled = (body: unknown) =>
      JSON.parse(JSON.stringify(body).replace(/"lastSeen":"[^"]*"/g, '"lastSeen":""'));
    const result = await run('servers', 'list', '--json', '--role', 'Mailbox');
    const direct = await api(server, 'GET', '/api/v1/servers?role=Mailbox', server.admin);
    expect(settled(json(result))).toEqual(settled(direct.body));
    const shown = await run('servers', 'show', 'cas1', '--json');
    const served = await api(server, 'GET', '/api/v1/servers/cas1', server.admin);
    expect(settled(json(shown))).toEqual(settled(served.body));
    expect(json(shown)).toHaveProperty('lastSeen');
  });

  it('shows one server, and compliance as a table and as JSON', async () => {
    const shown = await run('servers', 'show', 'CAS1');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Build +8\.1\.311\.3 \(SP1 RU4\)/);
    expect(shown.stdout).toMatch(/Internet-facing +yes/);
    expect(shown.stdout).toMatch(/Build history \(1\)/);
    const compliance = await run('compliance');
    expect(compliance.stdout).toMatch(
      /^KB959241 \(build 8\.1\.340\.1\): 4 servers: 1 current, 2 need the update, 1 excluded/,
    );
    expect(compliance.stdout).toMatch(/OLD1 +8\.0\.685\.25 +NOT_SP1/);
    const asJson = await run('compliance', '--update', '959241', '--json');
    expect(json(asJson)).toEqual((await api(server, 'GET', '/api/v1/compliance', server.admin)).body);
  });

  it('an unknown server is refused with the API code and exit code 3', async () => {
    const result = await run('servers', 'show', 'NOPE1');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^exrollout: SRV_ERR_NOT_FOUND: /);
    const refused = await cli(server, 'exo_wrong', 'servers', 'list');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^exrollout: SRV_ERR_AUTH_REQUIRED: the operator API token was refused: it is unknown or revoked/,
    );
    const bad = await cli(server, 'exo_wrong', 'servers', 'list', '--json');
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stderr)).toMatchObject({
      error: { code: 'CLI_ERR_API_REFUSED', status: 401, api: { code: 'SRV_ERR_AUTH_REQUIRED' } },
    });
  });

  it('an unreachable server exits 4 and names the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await cli({ url }, server.admin, 'servers', 'list');
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(`exrollout: cannot reach the exrollout server at ${url}: ECONNREFUSED\n`);
    const flag = await cli(server, server.admin, 'compliance', '--server', url);
    expect(flag.code).toBe(4);
  });

  it('runs as a real process: servers list --json', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [cliMain, 'servers', 'list', '--json'], {
      env: { ...process.env, EXROLLOUT_SERVER: server.url, EXROLLOUT_TOKEN: server.admin },
    });
    const body = JSON.parse(stdout) as { total: number; servers: { name: string }[] };
    expect(body.total).toBe(4);
    expect(body.servers.map((s) => s.name)).toEqual(['CAS1', 'HUB1', 'NEW1', 'OLD1']);
  });
});

describe('exrollout servers pin and unpin', () => {
  let operatorToken = '';
  let viewerToken = '';
  beforeAll(async () => {
    operatorToken = (await server.tokens.createOperatorToken('ops', 'operator')).token;
    viewerToken = (await server.tokens.createOperatorToken('noc', 'viewer')).token;
  });
  const asOperator = (...args: string[]) => cli(server, operatorToken, ...args);

  it('pins a CAS its agent reports Internet-facing internal, and shows who pinned it', async () => {
    const pinned = await asOperator(
      'servers',
      'pin',
      'cas1',
      '--internal',
      '--reason',
      'behind the ISA array',
    );
    expect(pinned.stderr).toBe('');
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(
      /^Pinned CAS1 internal by ops at \d{4}-\d\d-\d\dT\S+ \(behind the ISA array\): plans put it in wave cas-internal\.\n$/,
    );
    const shown = await run('servers', 'show', 'CAS1');
    expect(shown.stdout).toMatch(
      /Internet-facing +no \(pinned by ops at \S+; agent reports yes\): behind the ISA array/,
    );
  });

  it('with --json prints the pin as the API answers it', async () => {
    const result = await asOperator('servers', 'pin', 'CAS1', '--internet-facing', '--json');
    expect(result.code).toBe(0);
    const pin = json(result);
    expect(pin).toEqual({
      name: 'CAS1',
      internetFacing: true,
      pinnedBy: 'ops',
      pinnedAt: expect.any(String),
    });
    const served = await api(server, 'GET', '/api/v1/servers/CAS1', server.admin);
    expect(served.body.internetFacingPin).toEqual(pin);
  });

  it('refuses without exactly one of --internet-facing and --internal (exit 2), as a viewer or on a Hub server (exit 3)', async () => {
    const neither = await asOperator('servers', 'pin', 'CAS1');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toBe('exrollout: servers pin needs --internet-facing or --internal\n');
    const both = await asOperator('servers', 'pin', 'CAS1', '--internet-facing', '--internal');
    expect(both.code).toBe(2);
    const viewer = await cli(server, viewerToken, 'servers', 'pin', 'CAS1', '--internal');
    expect(viewer.code).toBe(3);
    expect(viewer.stderr).toMatch(/^exrollout: SRV_ERR_AUTH_FORBIDDEN: /);
    const hub = await asOperator('servers', 'pin', 'HUB1', '--internet-facing', '--json');
    expect(hub.code).toBe(3);
    expect(JSON.parse(hub.stderr)).toMatchObject({
      error: { code: 'CLI_ERR_API_REFUSED', status: 409, api: { code: 'SRV_ERR_SERVER_NOT_CLIENT_ACCESS' } },
    });
  });

  it('unpins it; a second unpin is refused with exit code 3', async () => {
    const unpinned = await asOperator('servers', 'unpin', 'CAS1');
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toBe(
      "Unpinned CAS1: its agent's report decides whether it is Internet-facing again.\n",
    );
    expect((await run('servers', 'show', 'CAS1')).stdout).toMatch(/Internet-facing +yes\n/);
    const again = await asOperator('servers', 'unpin', 'CAS1', '--json');
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stderr)).toMatchObject({
      error: { status: 404, api: { code: 'SRV_ERR_NOT_FOUND' } },
    });
  });
});
