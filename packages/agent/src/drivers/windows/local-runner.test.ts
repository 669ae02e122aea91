import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FAKE_POWERSHELL } from './fixtures/load.js';
import { LocalPowerShellRunner, POWERSHELL_ARGS, stdinBootstrap } from './local-runner.js';

// The real spawn/stdin/timeout/abort path, with Node and a stand-in script in the place of powershell.exe.
const runner = new LocalPowerShellRunner({ executable: process.execPath, args: [FAKE_POWERSHELL] });
const options = (
  extra: { timeoutMs?: number; signal?: AbortSignal; onLine?: (line: string) => void } = {},
) => ({
  signal: extra.signal ?? new AbortController().signal,
  timeoutMs: extra.timeoutMs ?? 10_000,
  ...(extra.onLine ? { onLine: extra.onLine } : {}),
});
const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; code: string };
  }
  throw new Error('expected a rejection');
};

describe('LocalPowerShellRunner', () => {
  it('starts powershell.exe with -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command - by default', () => {
    expect(POWERSHELL_ARGS).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-Command',
      '-',
    ]);
  });

  it('writes the script on stdin as one line, intact whatever it holds', async () => {
    const script =
      "Write-Exr 'patch' 'Mise \u00e0 jour \u2013 O''Brien'\n$x = @{ a = 1 }\r\n# \ud83d\ude00\n";
    expect(stdinBootstrap(script).trimEnd()).not.toMatch(/[\r\n]/);
    const result = await runner.run(script, options());
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`EXR|script.sha256|${createHash('sha256').update(script).digest('hex')}`);
    expect(result.stdout).toContain('EXR|status|ok');
  });

  it('hands stdout lines to onLine as they arrive, without line endings', async () => {
    const lines: string[] = [];
    const script = 'Write-Exr progress x';
    await runner.run(script, options({ onLine: (line) => lines.push(line) }));
    expect(lines).toContain(`EXR|progress|received ${script.length} characters`);
    expect(lines.every((line) => !line.endsWith('\r'))).toBe(true);
  });

  it('returns stderr and the exit code', async () => {
    const result = await runner.run('#fake:stderr #fake:exit3', options());
    expect(result).toMatchObject({
      exitCode: 3,
      stderr: expect.stringContaining('No snap-ins have been registered'),
    });
  });

  it('kills a script that outlives its timeout', async () => {
    const started = Date.now();
    const error = await rejection(runner.run('#fake:hang', options({ timeoutMs: 300 })));
    expect(error).toMatchObject({ name: 'DriverError', code: 'AGENT_ERR_DRIVER_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('kills a script when its signal aborts, and never starts one already aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    expect(await rejection(runner.run('#fake:hang', options({ signal: controller.signal })))).toMatchObject({
      code: 'AGENT_ERR_DRIVER_ABORTED',
    });
    expect(await rejection(runner.run('x', options({ signal: AbortSignal.abort() })))).toMatchObject({
      code: 'AGENT_ERR_DRIVER_ABORTED',
    });
  });

  it('reports an executable that cannot be started', async () => {
    const missing = new LocalPowerShellRunner({ executable: '/nonexistent/powershell.exe' });
    expect(await rejection(missing.run('x', options()))).toMatchObject({ code: 'AGENT_ERR_DRIVER_SPAWN' });
  });

  it('stops a script that writes more than the output limit', async () => {
    const small = new LocalPowerShellRunner({
      executable: process.execPath,
      args: [FAKE_POWERSHELL],
      maxOutputBytes: 16,
    });
    expect(await rejection(small.run('x', options()))).toMatchObject({ code: 'AGENT_ERR_DRIVER_OUTPUT' });
  });
});
