import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPwsh } from './pwsh.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exr-pwsh-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function executable(path: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
  return path;
}

describe('findPwsh', () => {
  it('takes EXR_PWSH first, then pwsh on PATH, then ~/.dotnet/tools/pwsh', async () => {
    const chosen = await executable(join(dir, 'chosen', 'pwsh'));
    const onPath = await executable(join(dir, 'bin', 'pwsh'));
    const tool = await executable(join(dir, 'home', '.dotnet', 'tools', 'pwsh'));
    const home = join(dir, 'home');
    expect(findPwsh({ EXR_PWSH: chosen, PATH: join(dir, 'bin'), HOME: home })).toBe(chosen);
    expect(findPwsh({ PATH: join(dir, 'bin'), HOME: home })).toBe(onPath);
    expect(findPwsh({ PATH: join(dir, 'empty'), HOME: home })).toBe(tool);
  });

  it('fails, in CI and outside it, with one line saying how to install pwsh', () => {
    for (const CI of ['true', undefined]) {
      const env = { PATH: join(dir, 'empty'), HOME: dir, ...(CI ? { CI } : {}) };
      expect(() => findPwsh(env)).toThrow(
        /^pwsh .*dotnet tool install --global PowerShell --version 7\.6\.10$/,
      );
    }
    expect(() => findPwsh({ EXR_PWSH: join(dir, 'nope'), HOME: dir })).toThrow(
      /EXR_PWSH=.*dotnet tool install/,
    );
  });
});
