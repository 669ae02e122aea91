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
