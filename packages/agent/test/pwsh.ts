import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How to get pwsh where it is missing; the tests that need it fail with this, they never skip. */
export const PWSH_INSTALL = 'dotnet tool install --global PowerShell --version 7.6.10';

/** The pwsh to run: EXR_PWSH, else pwsh on the PATH, else ~/.dotnet/tools/pwsh; throws when there is none. */
export function findPwsh(): string {
  const named = process.env.EXR_PWSH;
  if (named) return named;
  if (!spawnSync('pwsh', ['-Version'], { stdio: 'ignore' }).error) return 'pwsh';
  const tool = join(homedir(), '.dotnet', 'tools', 'pwsh');
  if (existsSync(tool)) return tool;
  throw new Error(`these tests run the agent's scripts in PowerShell 7 and found no pwsh: ${PWSH_INSTALL}`);
}
