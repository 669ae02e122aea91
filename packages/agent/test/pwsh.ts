import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** How to get the pwsh the tests need, in one line. */
export const PWSH_INSTALL_HINT = 'dotnet tool install --global PowerShell --version 7.6.10';

/**
 * The PowerShell 7 executable for tests that run PowerShell: `EXR_PWSH` if set, else `pwsh` on PATH, else
 * `~/.dotnet/tools/pwsh` (`$HOME`). Throws when there is none, in CI (`CI=true`) and outside it alike: a test that
 * needs pwsh fails, it never skips.
 */
export function findPwsh(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.EXR_PWSH;
  if (chosen !== undefined && chosen !== '') {
    if (isExecutable(chosen)) return chosen;
    throw new Error(`EXR_PWSH=${chosen} is not an executable file; install pwsh with: ${PWSH_INSTALL_HINT}`);
  }
  const candidates = [
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'pwsh')),
    join(env.HOME ?? homedir(), '.dotnet', 'tools', 'pwsh'),
  ];
  const found = candidates.find(isExecutable);
  if (found !== undefined) return found;
  throw new Error(
    `pwsh (PowerShell 7) not found in EXR_PWSH, PATH or ~/.dotnet/tools${env.CI === 'true' ? ' (CI)' : ''}: install it with: ${PWSH_INSTALL_HINT}`,
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
