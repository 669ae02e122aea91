import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run.js';

describe('exrollout demo', () => {
  it('runs a generated fleet unattended, rolls it back, and prints only the final rollout on stdout', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      [
        'demo',
        '--servers',
        '25',
        '--until-done',
        '--json',
        '--install-seconds',
        '0.2',
        '--concurrency',
        '6',
        '--port',
        '0',
        '--then-rollback',
      ],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
    );
    expect(code, stderr).toBe(0);
    const rollout = JSON.parse(stdout) as {
      state: string;
      waves: { servers: { state: string }[] }[];
      excluded: unknown[];
    };
    expect(rollout.state).toBe('rolled-back');
    expect(
      rollout.waves.flatMap((wave) => wave.servers).every((server) => server.state === 'rolled-back'),
    ).toBe(true);
    expect(stderr).toContain('simulated agents enrolled and reporting');
    expect(stderr).toMatch(/^wave 3\/3 remaining: completed \d+\/\d+ done$/m);
  }, 120_000);

  it('on a terminal, redraws the demo fleet in place, lists the servers left out, and shows what the trail holds', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      ['demo', '--until-done', '--install-seconds', '0.3', '--concurrency', '8', '--port', '0'],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
      { isTTY: true, columns: 120 },
    );
    expect(code, stderr).toBe(0);
    // Each frame after the first moves the cursor back up over the last one and clears it.
    // (ESC [ n A, then ESC [ 0 J)
    expect(stdout.split('A\u001b[0J').length - 1).toBeGreaterThan(1);
    expect(stdout).toContain('left out of the plan: 9 excluded, 3 skipped:');
    expect(stdout).toMatch(/excluded +SEA-LEGACY01 +NOT_SP1 +On 8\.0\.685\.25 \(Exchange 2007 RTM\)/);
    expect(stdout).toMatch(/excluded +LON-HUB02 +NEWER_SERVICE_PACK /);
    expect(stdout).toMatch(/excluded +LON-HUB03 +POWERSHELL_3_OR_LATER +Runs Windows PowerShell 3\.0/);
    expect(stdout).toMatch(/server\.restarted +SEA-HUB04: restarted; Windows booted at /);
    expect(stdout).toMatch(/server\.remedied +SEA-HUB02: .* did not start after the install \(KB 944752\)/);
    expect(stdout).toMatch(
      /server\.agent-disconnected +LON-MBX01: the agent's connection closed .* during install/,
    );
    expect(stdout).toMatch(/server\.agent-reconnected +LON-MBX01: the agent reconnected during install/);
  }, 120_000);

  it('without a Redis, a redis-server or the right to install one, prints the command to run and exits 2', async () => {
    let stderr = '';
    const code = await runCli(
      ['demo', '--until-done', '--port', '0'],
      { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } },
      { env: { REDIS_URL: 'redis://127.0.0.1:1', PATH: '/nonexistent', EXR_DEMO_NO_INSTALL: '1' } },
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      'exrollout: no Redis answers at redis://127.0.0.1:1 and there is no redis-server on the PATH to start one: ' +
        'install the redis-server package (Debian/Ubuntu: apt-get install redis-server), or set REDIS_URL to a Redis that answers\n',
    );
  });

  it('exits 5 with --until-done when the rollout completes with failures, and says which and what next', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'exr-demo-'));
    const hub = (name: string, behaviour = {}) => ({
      name,
      site: 'HQ',
      build: '8.1.311.3',
      roles: ['HubTransport'],
      behaviour,
    });
    const scenario = join(folder, 'fleet.json');
    // One failure in five is the demo's 20% budget: the rollout completes, with a failure.
    const servers = ['HUB1', 'HUB2', 'HUB3', 'HUB4'].map((name) => hub(name));
    servers.push(hub('HUB5', { installFails: 'msi-return-value-3' }));
    await writeFile(scenario, JSON.stringify({ servers }));
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      ['demo', '--scenario', scenario, '--until-done', '--json', '--install-seconds', '0.2', '--port', '0'],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      },
    ).finally(() => rm(folder, { recursive: true, force: true }));
    expect(code, stderr).toBe(5);
    expect(JSON.parse(stdout)).toMatchObject({
      state: 'completed-with-failures',
      failures: [{ code: 'INSTALL_FAILED', servers: ['HUB5'] }],
    });
    expect(stderr).toContain('Failures (1), by error code:\n  INSTALL_FAILED (1): HUB5\n    next: ');
  }, 120_000);

  it('refuses a bad number with exit code 2', async () => {
    let stderr = '';
    const code = await runCli(['demo', '--servers', '0', '--until-done'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('--servers must be a number from 1 to 20000');
  });
});
