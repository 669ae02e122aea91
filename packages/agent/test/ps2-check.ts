import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { constructsJson, PS3_CONSTRUCTS } from '../src/drivers/windows/compat/ps3-constructs.js';
import type { ConstructKind, Ps3Construct } from '../src/drivers/windows/compat/types.js';
import { findPwsh } from './pwsh.js';

/** The checker script, run as it is in the source tree. */
export const CHECK_PS2_SCRIPT = fileURLToPath(
  new URL('../src/drivers/windows/compat/check-ps2.ps1', import.meta.url),
);

/** One line of check-ps2.ps1's output: a construct PowerShell 2.0 lacks, a parse error, or no strict mode. */
export interface Ps2Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly kind: ConstructKind | 'parse-error' | 'strict-mode';
  readonly construct: string;
  readonly since: string | null;
  readonly text: string;
}

const run = promisify(execFile);

/** Checks every file in one pwsh process against the list (PS3_CONSTRUCTS unless given) and returns the findings. */
export async function checkPowerShell2(
  files: readonly string[],
  constructs: readonly Ps3Construct[] = PS3_CONSTRUCTS,
): Promise<Ps2Finding[]> {
  if (files.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'exr-check-ps2-'));
  try {
    const list = join(dir, 'constructs.json');
    await writeFile(list, constructsJson(constructs));
    const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', CHECK_PS2_SCRIPT, '-Constructs', list];
    const { stdout } = await run(findPwsh(), [...args, ...files], { maxBuffer: 64 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Ps2Finding);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
