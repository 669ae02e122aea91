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
    expect(stderr).toMatch(/remaining +\[#+\]/);
  }, 120_000);

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
