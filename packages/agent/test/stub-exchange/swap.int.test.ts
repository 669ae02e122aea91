import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STEP_NAMES } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { validateStepArgs } from '../../src/drivers/windows/args.js';
import { resolveDriverConfig } from '../../src/drivers/windows/options.js';
import { inventoryScript, stepScript } from '../../src/drivers/windows/scripts/index.js';
import {
  PRIMITIVE_NAMES,
  PRIMITIVES_BEGIN,
  PRIMITIVES_END,
  replacePrimitives,
  WINDOWS_PRIMITIVES,
} from '../../src/drivers/windows/scripts/primitives.js';
import { SCENARIOS } from '../conformance/scenarios.js';
import { checkPowerShell2 } from '../ps2-check.js';
import { findPwsh } from '../pwsh.js';

const STUB_BLOCK = readFileSync(join(import.meta.dirname, 'stub-primitives.ps1'), 'utf8').trim();
const config = resolveDriverConfig({
  runner: { target: 'local', run: () => Promise.reject(new Error('unused')) },
});

/** Every script the driver generates for the conformance table's steps, and the inventory script. */
function everyScript(): Map<string, string> {
  const scripts = new Map<string, string>([['inventory', inventoryScript(config)]]);
  for (const scenario of SCENARIOS)
    for (const [index, entry] of scenario.steps.entries()) {
      const request = validateStepArgs(entry.step, entry.args);
      scripts.set(`${entry.step}-${scripts.size}-${index}`, stepScript(request, config, 'swap-test'));
    }
  return scripts;
}

const functionsOf = (block: string) =>
  [...block.matchAll(/^function ([A-Za-z-]+)/gm)].map((match) => match[1]);

// Host access outside the primitives: what a stub could not stand in for, reached without the named primitives.
const DIRECT_HOST_ACCESS =
  /Get-ItemProperty|New-ItemProperty|(Test-Path|Get-Item|Get-ChildItem) -LiteralPath '?HK(LM|CU)|FileVersionInfo|Diagnostics\.Process|cluster\.exe \$|& cluster|& \$?(shutdown|powershell)|ManagementDateTimeConverter|System\.Net\.Dns/;

describe('the stub host runs the very scripts the driver sends, with only the primitives block swapped', () => {
  const scripts = everyScript();

  it('covers every step of the catalog', () => {
    const steps = new Set([...scripts.keys()].map((name) => name.replace(/-\d+-\d+$/, '')));
    expect([...steps].sort()).toEqual(['inventory', ...STEP_NAMES].sort());
  });

  it('gives every script one primitives block, the Windows one, and reaches the host through it alone', () => {
    for (const [name, script] of scripts) {
      expect(script.split(PRIMITIVES_BEGIN).length, name).toBe(2);
      expect(script, name).toContain(WINDOWS_PRIMITIVES);
      expect(script.replace(WINDOWS_PRIMITIVES, ''), name).not.toMatch(DIRECT_HOST_ACCESS);
    }
  });

  it('defines the same primitives, and only those, on Windows and in the stub', () => {
    expect(functionsOf(WINDOWS_PRIMITIVES)).toEqual([...PRIMITIVE_NAMES]);
    expect(functionsOf(STUB_BLOCK)).toEqual([...PRIMITIVE_NAMES]);
    expect(STUB_BLOCK.startsWith(PRIMITIVES_BEGIN) && STUB_BLOCK.endsWith(PRIMITIVES_END)).toBe(true);
  });

  // The step arguments the conformance table gives (hooks, the revocation switch, queue limits) change the script.
  it('uses nothing newer than PowerShell 2.0 in any of them', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exr-ps2-'));
    const files = [...scripts].map(([name, script]) => {
      writeFileSync(join(dir, `${name}.ps1`), script, 'utf8');
      return join(dir, `${name}.ps1`);
    });
    expect(await checkPowerShell2(files)).toEqual([]);
  });

  it("swaps exactly that block in pwsh (the stub's launcher), and nothing else differs", {
    timeout: 60_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'exr-swap-'));
    const names = [...scripts.keys()];
    for (const [name, script] of scripts) writeFileSync(join(dir, `${name}.ps1`), script, 'utf8');
    const launch = join(import.meta.dirname, 'StubLaunch.ps1').replace(/'/g, "''");
    const swap = `. '${launch}'
foreach ($name in @(${names.map((name) => `'${name}'`).join(', ')})) {
  $text = [System.IO.File]::ReadAllText((Join-Path '${dir}' ($name + '.ps1')))
  [System.IO.File]::WriteAllText((Join-Path '${dir}' ($name + '.swapped')), (Convert-StubScript $text))
}`;
    const run = spawnSync(findPwsh(), ['-NoProfile', '-NonInteractive', '-Command', swap], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    for (const [name, script] of scripts) {
      const swapped = readFileSync(join(dir, `${name}.swapped`), 'utf8');
      expect(swapped, name).toBe(replacePrimitives(script, STUB_BLOCK));
      expect(swapped.replace(STUB_BLOCK, ''), name).toBe(script.replace(WINDOWS_PRIMITIVES, ''));
    }
  });
});
