import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PS3_CONSTRUCTS } from '../src/drivers/windows/compat/ps3-constructs.js';
import { checkPowerShell2, type Ps2Finding } from './ps2-check.js';

// One fixture per construct, generated from the list: its sample on line 1, then the strict mode line, so that
// each file must give exactly one finding, that construct's. All files go through one pwsh process.
const STRICT = 'Set-StrictMode -Version 2';

// Near misses: PowerShell 2.0 code that looks like something on the list.
const CLEAN = String.raw`
foreach ($item in @(1, 2)) { $item }
$files = @(Get-ChildItem -LiteralPath 'C:\x' -Filter '*.txt' | Where-Object { -not $_.PSIsContainer })
$names = $files | ForEach-Object { $_.Name }
$null = Get-Item 'C:\x' -ErrorAction SilentlyContinue
$table = New-Object System.Collections.Specialized.OrderedDictionary
$object = New-Object PSObject -Property @{ Name = 'a' }
$text = @'
ConvertTo-Json -in $PSItem [ordered]
'@
$fine = [string]::IsNullOrEmpty($text) -or ($names -contains 'a') -or ($table.Count -gt 1)
$joined = Join-Path 'C:\x' 'y'
$sb = New-Object System.Text.StringBuilder
[void]$sb.Append('x')
& cmd.exe /c ver 2>&1 | Out-Null
$version = New-Object System.Version '8.1.340.1'
function Get-X { param([Parameter(Mandatory = $true)][string]$Name) $Name }
$env:PSItem
`;

const CASES: Record<string, string> = {
  'clean.ps1': `${STRICT}\n${CLEAN}`,
  'strict-2.0.ps1': "Set-StrictMode -Version '2.0'\n'x'\n",
  'no-strict.ps1': "$ErrorActionPreference = 'Stop'\n'x'\n",
  'strict-1.ps1': 'Set-StrictMode -Version 1\n',
  'strict-in-function.ps1': 'function f { Set-StrictMode -Version 2 }\nf\n',
  'parse-error.ps1': `${STRICT}\nif ($x { 'unclosed'\n`,
};

let dir: string;
let findings: Ps2Finding[];
const fileOf = (index: number) => join(dir, `construct-${index}.ps1`);
const findingsIn = (file: string) =>
  findings
    .filter((finding) => finding.file === file)
    .map(({ line, kind, construct, since }) => ({ line, kind, construct, since }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exr-ps2-checker-'));
  await Promise.all([
    ...PS3_CONSTRUCTS.map((construct, index) => writeFile(fileOf(index), `${construct.sample}\n${STRICT}\n`)),
    ...Object.entries(CASES).map(([name, text]) => writeFile(join(dir, name), text)),
  ]);
  const files = [
    ...PS3_CONSTRUCTS.map((_, index) => fileOf(index)),
    ...Object.keys(CASES).map((n) => join(dir, n)),
  ];
  findings = await checkPowerShell2(files);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the PowerShell 3.0+ list', () => {
  it('has every kind of construct, each named once, each introduced in 3.0 or later', () => {
    const kinds = new Set(PS3_CONSTRUCTS.map((construct) => construct.kind));
    expect([...kinds].sort()).toEqual([
      'command',
      'member',
      'operator',
      'parameter',
      'syntax',
      'type',
      'variable',
    ]);
    const names = PS3_CONSTRUCTS.map((construct) => construct.name);
    expect(new Set(names).size).toBe(names.length);
    for (const construct of PS3_CONSTRUCTS)
      expect(construct.since, construct.name).toMatch(/^(?:[3-9])\.\d$/);
  });
});

describe('check-ps2.ps1', () => {
  it.each(PS3_CONSTRUCTS.map((construct, index) => [construct.name, construct, index] as const))(
    'finds %s in its sample, and nothing else',
    (_, construct, index) => {
      expect(findingsIn(fileOf(index))).toEqual([
        { line: 1, kind: construct.kind, construct: construct.name, since: construct.since },
      ]);
    },
  );

  it('finds nothing in PowerShell 2.0 code that looks like the list', () => {
    expect(findingsIn(join(dir, 'clean.ps1'))).toEqual([]);
  });

  it('accepts Set-StrictMode -Version 2.0 and refuses a script without version 2 at its top level', () => {
    expect(findingsIn(join(dir, 'strict-2.0.ps1'))).toEqual([]);
    for (const name of ['no-strict.ps1', 'strict-1.ps1', 'strict-in-function.ps1'])
      expect(findingsIn(join(dir, name)), name).toEqual([
        {
          line: 1,
          kind: 'strict-mode',
          construct: 'Set-StrictMode -Version 2 at the top level',
          since: null,
        },
      ]);
  });

  it('reports parse errors with their line', () => {
    const errors = findingsIn(join(dir, 'parse-error.ps1'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((finding) => finding.kind === 'parse-error' && finding.line === 2)).toBe(true);
  });
});
