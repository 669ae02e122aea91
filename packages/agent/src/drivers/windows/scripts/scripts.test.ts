import { STEP_NAMES } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { type StepRequest, validateStepArgs } from '../args.js';
import { FakeRunner } from '../fixtures/fake-runner.js';
import { resolveDriverConfig } from '../options.js';
import { inventoryScript, stepScript } from './index.js';

const config = resolveDriverConfig({ runner: new FakeRunner() });
const SHA = '5e1f0b0c9b3a1d7e4c2f8a6b0d9e3c7a1f5b2d8e6c4a0f9b3d7e1c5a2f8b6d04';
const PACKAGE = { file: 'Exchange2007-KB959241-x64-EN.msp', sha256: SHA };

/** Valid arguments for every step of the catalog. */
const ARGS: { [Step in StepRequest['step']]: unknown } = {
  stage: { package: PACKAGE, size: 1000, fromStore: false },
  precheck: { expectedBuild: '8.1.311.3', targetBuild: '8.1.340.1', package: PACKAGE, minFreeMb: 2048 },
  'backup-owa': {},
  'move-cms': { cms: 'SEA-MBX1', targetNode: 'SEA-CCR1-N2' },
  'move-cluster-group': { targetNode: 'SEA-CCR1-N2' },
  'remove-interim-updates': {
    interimUpdates: ["Interim Update for Exchange Server 2007 SP1 (KB957019) - O'Brien's fix"],
  },
  install: {
    package: PACKAGE,
    targetBuild: '8.1.340.1',
    crlCheckOff: true,
    hooks: { before: ['fscutility-disable'], after: ['fscutility-enable'] },
  },
  restart: { reason: 'msiexec 3010: a restart finishes the install' },
  verify: { targetBuild: '8.1.340.1', remedyKb944752: true },
  'restore-owa': {},
  uninstall: {
    productCode: '{24B2C164-DE66-44FE-B468-A46D9D5E6B31}',
    kb: '959241',
    expectedBuild: '8.1.311.3',
  },
};

const scriptOf = (step: StepRequest['step']) =>
  stepScript(validateStepArgs(step, ARGS[step]), config, 'cmd-1');
const ALL: readonly (readonly [name: string, script: string])[] = [
  ['inventory', inventoryScript(config)],
  ...STEP_NAMES.map((step) => [step, scriptOf(step)] as const),
];

/** Removes quoted strings (with '' and "" doubling) so that braces inside them do not count. */
const stripStrings = (script: string) =>
  script.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"`]|`.)*"/g, '""');

describe('generated scripts', () => {
  // PowerShell 2.0 only: test/scripts-command.test.ts parses every script with PowerShell's own parser and
  // checks it against compat/ps3-constructs.ts (check-ps2.ps1).
  it.each(ALL)('%s has balanced braces and parentheses outside strings', (_, script) => {
    const code = stripStrings(script);
    for (const [open, close] of [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
    ] as const)
      expect(code.split(open).length, open).toBe(code.split(close).length);
  });

  it.each(ALL)('%s ends every run with a status line, through one try/catch', (_, script) => {
    expect(script).toContain("$ErrorActionPreference = 'Stop'");
    expect(script).toMatch(
      /try \{\n {2}Invoke-ExrMain\n {2}Write-Exr 'status' 'ok'\n\} catch \{\n {2}Write-ExrFailure \$_ '[A-Z_]+'\n\}\n$/,
    );
  });

  it('loads the Exchange snap-in wherever an Exchange cmdlet is called', () => {
    const exchangeCmdlet =
      /\b(?:Get-ExchangeServer|Get-MailboxServer|Move-ClusteredMailboxServer|Get-ClusteredMailboxServerStatus)\b/;
    for (const [name, script] of ALL) {
      const main = script.slice(script.indexOf('function Invoke-ExrMain'));
      if (exchangeCmdlet.test(main) || name === 'inventory')
        expect(main, name).toContain('Add-ExrExchangeShell');
    }
    expect(inventoryScript(config)).toContain(
      "Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.Admin'",
    );
  });

  it('reads the build from ExSetup.exe under MsiInstallPath, with FileVersionInfo', () => {
    const script = inventoryScript(config);
    expect(script).toContain("$key = 'HKLM:\\SOFTWARE\\Microsoft\\Exchange\\Setup'");
    expect(script).toContain("Get-ExrRegistryValue $key 'MsiInstallPath'");
    expect(script).toContain("Join-ExrPath $InstallPath 'Bin\\ExSetup.exe'");
    expect(script).toContain(
      '[System.Diagnostics.FileVersionInfo]::GetVersionInfo((ConvertTo-ExrNativePath $Path))',
    );
  });

  it('reads patches of the Exchange 2007 product from its packed Installer key', () => {
    expect(inventoryScript(config)).toContain(
      "'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\UserData\\S-1-5-18\\Products\\461C2B4266EDEF444B864AD6D9E5B613\\Patches'",
    );
  });

  it('asks the four CAS virtual directory cmdlets for ExternalUrl, and Edge nothing from AD', () => {
    const script = inventoryScript(config);
    expect(script).toContain("Write-Exr 'cas.owaExternalUrl'");
    expect(script).toContain('Get-OwaVirtualDirectory -Server $env:COMPUTERNAME');
    for (const cmdlet of [
      'Get-ActiveSyncVirtualDirectory',
      'Get-WebServicesVirtualDirectory',
      'Get-OabVirtualDirectory',
    ])
      expect(script).toContain(`'${cmdlet}'`);
    expect(script).toContain('& $cmdlet -Server $env:COMPUTERNAME');
    expect(script).toMatch(
      /if \(\$isEdge\) \{\n\s+Write-Exr 'role' 'Edge'\n\s+\} else \{\n\s+Write-Exr 'progress' 'Reading roles and site \(Get-ExchangeServer\)'\n\s+Add-ExrExchangeShell/,
    );
  });

  it('moves the clustered mailbox server with the documented cmdlet and no prompt', () => {
    const script = scriptOf('move-cms');
    expect(script).toContain("$cms = 'SEA-MBX1'");
    expect(script).toContain("$target = 'SEA-CCR1-N2'");
    expect(script).toContain(
      "Move-ClusteredMailboxServer -Identity $cms -TargetMachine $target -MoveComment 'exrollout KB959241 cmd-1' -Confirm:$false",
    );
  });

  it('moves "Cluster Group" with cluster.exe', () => {
    const script = scriptOf('move-cluster-group');
    expect(script).toContain('& cluster.exe $Arguments 2>&1');
    expect(script).toContain("Invoke-ExrClusterExe @('group', $groupName, ('/move:' + $target))");
  });

  it('checks the SHA-256 with .NET before msiexec /update runs, and reads the log for Return Value 3', () => {
    const script = scriptOf('install');
    expect(script).toContain('[System.Security.Cryptography.SHA256]::Create()');
    expect(script).toContain(
      "$msp = Join-ExrPath 'C:\\exrollout\\packages' 'Exchange2007-KB959241-x64-EN.msp'",
    );
    expect(script).toContain(`$expected = '${SHA}'`);
    expect(script).toContain(`'/update "' + $Msp + '" /quiet /norestart /l*v "' + $log + '"'`);
    const body = script.slice(script.indexOf('function Invoke-ExrMain'));
    expect(body.indexOf("Stop-Exr 'PACKAGE_HASH_MISMATCH'")).toBeLessThan(
      body.indexOf('Invoke-ExrMsiUpdate $msp'),
    );
    expect(body.indexOf('Invoke-ExrMsiUpdate $msp')).toBeGreaterThan(0);
    expect(script).toContain("IndexOf('Return Value 3', [System.StringComparison]::OrdinalIgnoreCase)");
  });

  it('removes interim updates by DisplayName, with the name escaped', () => {
    const script = scriptOf('remove-interim-updates');
    expect(script).toContain(
      "$names = @('Interim Update for Exchange Server 2007 SP1 (KB957019) - O''Brien''s fix')",
    );
    expect(script).toContain(
      "'/package ' + $exrProductCode + ' /uninstall ' + $code + ' /quiet /norestart /l*v \"' + $log + '\"'",
    );
    expect(script).toContain("$exrProductCode = '{24B2C164-DE66-44FE-B468-A46D9D5E6B31}'");
  });

  it('uninstalls by the KB number in DisplayName and checks the cached .msp first', () => {
    const script = scriptOf('uninstall');
    expect(script).toContain("$kb = '959241'");
    expect(script).toContain("$_.DisplayName -match ('KB\\s?' + $kb + '\\b')");
    expect(script.indexOf('Assert-ExrPatchCache $patch')).toBeLessThan(
      script.indexOf('Remove-ExrPatch $patch'),
    );
    expect(script).toContain(
      "[string](Get-ExrRegistryValue ($exrPatchDataKey + '\\' + $Packed) 'LocalPackage')",
    );
  });

  it('uninstall run again: no patch and ExSetup.exe on expectedBuild succeeds before any msiexec', () => {
    const script = scriptOf('uninstall');
    expect(script).toContain("$expectedBuild = '8.1.311.3'");
    const skip = script.indexOf('if ($build -eq $expectedBuild) {');
    expect(skip).toBeGreaterThan(script.indexOf('if (-not $patch) {'));
    expect(script.indexOf("Write-Exr 'uninstall.skipped'", skip)).toBeLessThan(
      script.indexOf("Stop-Exr 'PATCH_NOT_INSTALLED'"),
    );
    expect(script.indexOf("Stop-Exr 'PATCH_NOT_INSTALLED'")).toBeLessThan(
      script.indexOf('Assert-ExrPatchCache $patch'),
    );
    const padded = stepScript(
      validateStepArgs('uninstall', { ...(ARGS.uninstall as object), expectedBuild: ' 08.01.0311.003 ' }),
      config,
      'c',
    );
    expect(padded).toContain("$expectedBuild = '8.1.311.3'");
  });

  it('move-cms skips the move when OperationalMachines shows the target Active, whatever the flag order', () => {
    const script = scriptOf('move-cms');
    expect(script).toContain("-match ('^\\s*' + [regex]::Escape($Node) + '\\s*<([^>]*)>')");
    expect(script).toContain("if ($flag.Trim() -eq 'Active') { return $true }");
    expect(script.indexOf('if (Test-ExrActiveOn $before.OperationalMachines $target) {')).toBeLessThan(
      script.indexOf('Move-ClusteredMailboxServer -Identity $cms'),
    );
  });

  it('restore-owa run again keeps the post-install copies the first run made', () => {
    expect(scriptOf('restore-owa')).toContain(
      'if ((Test-Path -LiteralPath $destination) -and -not (Test-Path -LiteralPath $kept)) {',
    );
  });

  it('applies the KB 944752 remedy only when asked', () => {
    expect(scriptOf('verify')).toContain('if ($stopped.Count -gt 0 -and $true) {');
    const without = stepScript(
      validateStepArgs('verify', { targetBuild: '8.1.340.1', remedyKb944752: false }),
      config,
      'c',
    );
    expect(without).toContain('if ($stopped.Count -gt 0 -and $false) {');
    expect(without).toContain("SetAttribute('enabled', 'false')");
    expect(without).toContain("(Name LIKE 'MSExchange%' OR Name = 'ADAM_MSExchange') AND StartMode='Auto'");
  });

  it('backs up to and restores from the configured backup directory', () => {
    const custom = resolveDriverConfig({
      runner: new FakeRunner(),
      backupDirectory: "D:\\OWA backups\\it's here",
    });
    const backup = stepScript(validateStepArgs('backup-owa', {}), custom, 'c');
    expect(backup).toContain("$root = 'D:\\OWA backups\\it''s here'");
    expect(backup).toContain('Copy-Item -LiteralPath $owa -Destination $copy -Recurse -Force');
    expect(stepScript(validateStepArgs('restore-owa', {}), custom, 'c')).toContain(
      "$latest = Join-ExrPath $root 'latest.txt'",
    );
  });

  it('passes a configured OWA manifest and log directory as literals', () => {
    const custom = resolveDriverConfig({
      runner: new FakeRunner(),
      owaManifest: 'C:\\exrollout\\owa-8.1.311.3.sha256',
      logDirectory: 'D:\\Logs',
    });
    expect(inventoryScript(custom)).toContain("$manifest = 'C:\\exrollout\\owa-8.1.311.3.sha256'");
    expect(stepScript(validateStepArgs('install', ARGS.install), custom, 'c')).toContain("$dir = 'D:\\Logs'");
  });
});

describe('driver options', () => {
  it('refuses paths that are not absolute Windows paths and timeouts that are not positive', () => {
    const runner = new FakeRunner();
    expect(() => resolveDriverConfig({ runner, packageDirectory: 'packages' })).toThrow(/packageDirectory/);
    expect(() => resolveDriverConfig({ runner, backupDirectory: "C:\\x'\n; Remove-Item" })).toThrow(
      /backupDirectory/,
    );
    expect(() => resolveDriverConfig({ runner, timeoutsMs: { install: 0 } })).toThrow(/install/);
  });

  it('gives install two hours by default', () => {
    expect(config.timeoutsMs.install).toBe(2 * 60 * 60 * 1000);
  });
});
