import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RolloutPlan } from '@exrollout/core';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const contoso = join(repoRoot, 'examples', 'contoso.json');
const demoFleet = join(repoRoot, 'examples', 'demo-fleet.json');
const cliMain = join(repoRoot, 'packages', 'cli', 'bin', 'exrollout.mjs');

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exrollout-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inventoryFile(content: string): Promise<string> {
  const path = join(dir, `inventory-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, content);
  return path;
}

describe('exrollout plan', () => {
  it('prints the waves, the steps and why each left-out server is left out', async () => {
    const { code, stdout, stderr } = await run('plan', '--inventory', contoso);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Wave 1 of 3: cas-internet-facing \(3 servers\)/);
    expect(stdout).toMatch(/SEA-CAS01 .* precheck > backup-owa > install > restart > verify > restore-owa/);
    expect(stdout).toMatch(
      /SEA-CCR1-N1 .*CCR SEA-CCR1 active .* precheck > move-cms > move-cluster-group > install/,
    );
    expect(stdout).toMatch(/SEA-LEGACY01 +NOT_SP1 +On 8\.0\.685\.25/);
    expect(stdout).toMatch(/LON-HUB01 +ALREADY_CURRENT/);
    expect(stdout).toMatch(/SEA-HUB03 +POWERSHELL_1 +Runs Windows PowerShell 1\.0/);
    expect(stdout).toMatch(/LON-MBX02 +POWERSHELL_3_OR_LATER +Runs Windows PowerShell 3\.0/);
  });

  it('with --json prints exactly the plan object, and nothing else', async () => {
    const { code, stdout } = await run('plan', '--inventory', contoso, '--json');
    expect(code).toBe(0);
    const plan: unknown = JSON.parse(stdout);
    expect(Value.Check(RolloutPlan, plan)).toBe(true);
    expect(plan).toMatchObject({ update: { kb: '959241', build: '8.1.340.1' } });
    const names = (plan as RolloutPlan).waves.map((wave) => wave.name);
    expect(names).toEqual(['cas-internet-facing', 'cas-internal', 'remaining']);
  });

  it('narrows the plan to a selection and takes a cluster whole', async () => {
    const { code, stdout } = await run('plan', '-i', contoso, '--json', '--servers', 'sea-ccr1-n2,SEA-HUB01');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as RolloutPlan;
    const planned = plan.waves.flatMap((wave) => wave.servers.map((server) => server.name));
    expect(planned).toEqual(['SEA-CCR1-N2', 'SEA-CCR1-N1', 'SEA-HUB01']);
    expect(plan.skipped.filter((entry) => entry.code === 'NOT_SELECTED')).toHaveLength(31);
  });

  it('refuses an inventory with a bad field, naming the server and the field, and prints no plan', async () => {
    const path = await inventoryFile(
      JSON.stringify({ servers: [{ name: 'CAS01', build: '8.1', roles: ['ClientAccess'] }] }),
    );
    const { code, stdout, stderr } = await run('plan', '--inventory', path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('servers[0] "CAS01": build: must be a four-part build');
  });

  it("plans from a fleet-simulator scenario, the README's demo fleet, as from the inventory it describes", async () => {
    const { code, stdout, stderr } = await run('plan', '-i', demoFleet, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const scenario = JSON.parse(await readFile(demoFleet, 'utf8')) as { servers: Record<string, unknown>[] };
    expect(scenario.servers.some((server) => server.behaviour !== undefined)).toBe(true);
    const bare = scenario.servers.map(({ host: _host, behaviour: _behaviour, ...server }) => server);
    const plain = await run('plan', '-i', await inventoryFile(JSON.stringify({ servers: bare })), '--json');
    expect(JSON.parse(stdout)).toEqual(JSON.parse(plain.stdout));
    expect((JSON.parse(stdout) as RolloutPlan).waves.flatMap((wave) => wave.servers).length).toBeGreaterThan(
      20,
    );
  });

  it("refuses a scenario whose simulation fields are wrong, as an inventory's problem", async () => {
    const server = {
      name: 'HUB01',
      build: '8.1.336.1',
      roles: ['HubTransport'],
      behaviour: { installSecs: 1 },
    };
    const { code, stdout, stderr } = await run(
      'plan',
      '-i',
      await inventoryFile(JSON.stringify({ servers: [server] })),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^exrollout: invalid inventory \(1 problem\):\nservers\[0\] "HUB01": behaviour\.installSecs: is not a known field\n$/,
    );
  });

  it('refuses duplicate names that differ only in case', async () => {
    const server = (name: string) => ({ name, build: '8.1.336.1', roles: ['HubTransport'] });
    const path = await inventoryFile(JSON.stringify({ servers: [server('HUB01'), server('hub01')] }));
    const { code, stderr } = await run('plan', '--inventory', path);
    expect(code).toBe(2);
    expect(stderr).toContain('servers[1] "hub01": name: duplicates servers[0] "HUB01"');
  });

  it('refuses a file that is not JSON, or missing, with exit code 2', async () => {
    const notJson = await inventoryFile('{ "servers": [ ');
    expect(await run('plan', '--inventory', notJson)).toMatchObject({ code: 2, stdout: '' });
    expect((await run('plan', '--inventory', notJson)).stderr).toContain('is not valid JSON');
    const missing = await run('plan', '--inventory', join(dir, 'nope.json'));
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('no such file');
  });

  it('explains usage errors: a missing --inventory, an unknown update or role', async () => {
    expect((await run('plan')).code).toBe(2);
    const unknownUpdate = await run('plan', '-i', contoso, '--update', 'KB123');
    expect(unknownUpdate.code).toBe(2);
    expect(unknownUpdate.stderr).toContain('unknown update "KB123"; known updates: KB959241');
    const typo = await run('plan', '-i', contoso, '--servers', 'SEA-CAS01,SEA-CAS9');
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toContain('not in the inventory: SEA-CAS9');
    const unknownRole = await run('plan', '-i', contoso, '--roles', 'Exchange');
    expect(unknownRole.stderr).toContain('unknown role "Exchange"');
  });

  it('with --json reports errors as one JSON object on stderr', async () => {
    const path = await inventoryFile(
      JSON.stringify({ servers: [{ name: 'CAS01', build: '8.1.336.1', roles: [] }] }),
    );
    const { code, stderr } = await run('plan', '--inventory', path, '--json');
    expect(code).toBe(2);
    const error = JSON.parse(stderr) as { error: { code: string; issues: { field: string }[] } };
    expect(error.error.code).toBe('CORE_ERR_INVENTORY_INVALID');
    expect(error.error.issues[0]?.field).toBe('roles');
  });

  it('runs as a real process with the documented exit codes', async () => {
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [cliMain, 'plan', '--inventory', contoso, '--json']);
    expect(JSON.parse(ok.stdout)).toHaveProperty('waves');
    const bad = await exec(process.execPath, [cliMain, 'plan', '--inventory', join(dir, 'nope.json')]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad).toMatchObject({ code: 2 });
  });
});
