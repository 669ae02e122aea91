import { KB959241, type StepArgs } from '@exrollout/core';
import { psArray, psLiteral } from '../literal.js';
import type { DriverConfig } from '../options.js';
import { MSI_SUCCESS } from './install.js';
import { composeScript } from './prelude.js';

// Shared by IU removal and rollback: msiexec needs the patch's cached .msp to remove it.
const REMOVE_PATCH = String.raw`function Assert-ExrPatchCache($Patch, [string]$What) {
  $cache = Get-ExrPatchCache $Patch.Packed
  Write-Exr 'patch.cache' $cache
  if (-not $cache) {
    Stop-Exr 'PATCH_CACHE_MISSING' ('no LocalPackage value under ' + $exrPatchDataKey + '\' + $Patch.Packed + ' for ' + $What + ': Windows Installer has no cached copy of the patch, so msiexec cannot remove it. Reinstall the same .msp to recache it, then retry.')
  }
  if (-not (Test-Path -LiteralPath $cache)) {
    Stop-Exr 'PATCH_CACHE_MISSING' ('the cached .msp of ' + $What + ' is missing: ' + $cache + '. Copy the original .msp of that update to exactly this path (same file, renamed), or reinstall the update from the Download Center to recache it, then retry.')
  }
}
function Remove-ExrPatch($Patch, [string]$LogName, [string]$FailureCode) {
  $code = ConvertFrom-ExrPackedGuid $Patch.Packed
  Write-Exr 'patch.code' $code
  $log = New-ExrLogPath $LogName
  Write-Exr 'msi.log' $log
  Write-Exr 'progress' ('msiexec /package ' + $exrProductCode + ' /uninstall ' + $code + ' (' + $Patch.DisplayName + ')')
  $exit = Invoke-ExrMsiexec ('/package ' + $exrProductCode + ' /uninstall ' + $code + ' /quiet /norestart /l*v "' + $log + '"')
  Write-Exr 'msi.exitCode' $exit
  foreach ($line in @(Get-ExrMsiFailures $log)) { Write-Exr 'msi.failure' $line }
  if ($exit -eq 3010 -or $exit -eq 1641) { Write-Exr 'msi.rebootRequired' $true }
  if (-not (Test-ExrMsiSuccess $exit)) {
    Stop-Exr $FailureCode ('msiexec could not uninstall ' + $Patch.DisplayName + ' (exit code ' + $exit + '); see ' + $log)
  }
}`;

const helpersFor = (config: DriverConfig) => ({
  ...(config.logDirectory === undefined ? {} : { logDirectory: config.logDirectory }),
  helpers: [MSI_SUCCESS, REMOVE_PATCH],
});

/**
 * remove-interim-updates: for each named IU, finds its patch code by DisplayName in the Patches key of
 * Exchange 2007 and runs `msiexec /package {ProductCode} /uninstall {PatchCode} /quiet`. An IU no longer
 * listed is reported as absent (a retry after a restart), not as a failure.
 */
export function removeInterimUpdatesScript(
  args: StepArgs['remove-interim-updates'],
  config: DriverConfig,
): string {
  const body = `$names = ${psArray(args.interimUpdates)}
foreach ($name in $names) {
  $patch = @(Get-ExrPatches | Where-Object { $_.DisplayName -eq $name }) | Select-Object -First 1
  if (-not $patch) { Write-Exr 'iu.absent' $name; continue }
  Assert-ExrPatchCache $patch $name
  Remove-ExrPatch $patch 'exrollout-remove-iu' 'IU_REMOVAL_FAILED'
  Write-Exr 'iu.removed' $name
}
Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))`;
  return composeScript({
    defaultCode: 'IU_REMOVAL_FAILED',
    productCode: KB959241.productCode,
    ...helpersFor(config),
    body,
  });
}

/**
 * uninstall (rollback): finds the patch whose DisplayName names `KB<kb>`, checks its cached .msp, runs
 * `msiexec /package {ProductCode} /uninstall {PatchCode} /quiet`, and reports the build afterwards.
 */
export function uninstallScript(args: StepArgs['uninstall'], config: DriverConfig): string {
  const body = String.raw`$kb = ${psLiteral(args.kb)}
$patch = @(Get-ExrPatches | Where-Object { $_.DisplayName -match ('KB\s?' + $kb + '\b') }) | Select-Object -First 1
if (-not $patch) {
  Stop-Exr 'PATCH_NOT_INSTALLED' ('update ' + $kb + ' is not listed under ' + $exrPatchesKey + ': it is not installed on this server, so there is nothing to uninstall. Check the build with ExSetup.exe.')
}
Write-Exr 'patch.name' $patch.DisplayName
Assert-ExrPatchCache $patch ('update ' + $kb)
Remove-ExrPatch $patch ('exrollout-uninstall-KB' + $kb) 'UNINSTALL_FAILED'
Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))`;
  return composeScript({
    defaultCode: 'UNINSTALL_FAILED',
    productCode: args.productCode,
    ...helpersFor(config),
    body,
  });
}
