import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { executable, findOnPath, redisAnswers } from '../src/setup/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the test preflight (vitest globalSetup)', () => {
  it('leaves pwsh, redis-server and Chromium where every test finds them, and a Redis that answers', async () => {
    const pwsh = process.env.EXR_PWSH;
    expect(pwsh && executable(pwsh)).toBe(pwsh);
    expect(findOnPath('pwsh', process.env)).toBeDefined();
    expect(findOnPath('redis-server', process.env)).toBeDefined();
    expect(executable('/usr/bin/chromium')).toBe('/usr/bin/chromium');
    expect(await redisAnswers(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')).toBe(true);
  });

  it('stops the run at once with one line when a tool is missing and may not be installed', () => {
    const home = mkdtempSync(join(tmpdir(), 'exrollout-preflight-'));
    try {
      const { EXR_PREFLIGHT: _done, EXR_PWSH: _pwsh, ...env } = process.env;
      // pwsh lives in ~/.dotnet/tools here: another HOME and a PATH without it hide it.
      const path = (env.PATH ?? '').split(':').filter((dir) => !dir.includes('.dotnet/tools'));
      const run = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'packages/cli/src/setup/decide.test.ts'],
        {
          cwd: ROOT,
          env: { ...env, HOME: home, PATH: path.join(':'), EXR_TEST_NO_INSTALL: '1' },
          encoding: 'utf8',
        },
      );
      expect(run.status, run.stdout + run.stderr).toBe(2);
      const dotnet = findOnPath('dotnet', { PATH: path.join(':') });
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `npm test: no pwsh (PowerShell 7.6) on the PATH or in ${home}/.dotnet/tools: ${dotnet ? '' : 'install the .NET SDK, then '}dotnet tool install --global PowerShell --version 7.6.10`,
      );
      expect(run.stdout).not.toContain('passed');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
