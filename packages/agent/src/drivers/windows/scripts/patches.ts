import { formatBuild, KB959241, type StepArgs, tryParseBuild } from '@exrollout/core';
import { psArray, psLiteral } from '../literal.js';
import type { DriverConfig } from '../options.js';
import { MSI_SUCCESS } from './install.js';
import { composeScript } from './prelude.js';

// Shared by IU removal and rollback: msiexec needs the patch's cached .msp to remove it.
const REMOVE_PATCH = String.raw`function Assert-ExrPatchCache($Patch, [string]$What) {
  $cache = Get-ExrPatchCache $Patch.Packed
  Write-Exr 'patch.cache' $cache
  if (-not $cache) {
    Stop-Exr 'PATCH_CACHE_MISSING' ('no LocalPackage value under ' + $exrPatchDataKey + '\' + $Patch.Packed + ' for ' + $What + ': Windows Installer has no cached copy of the patch, so msiexec cannot remove it. Reinstall the same .msp from the original package to recache it, then retry; or remove the update from Add or Remove Programs by hand, giving it the original .msp when it asks.')
  }
  if (-not (Test-Path -LiteralPath $cache)) {
    Stop-Exr 'PATCH_CACHE_MISSING' ('the cached .msp of ' + $What + ' is missing: ' + $cache + '. Restore it to the Windows Installer cache from the original package: copy the original .msp of that update to exactly this path (same file, renamed), or reinstall the update from the Download Center to recache it, then retry; or remove the update from Add or Remove Programs by hand, giving it the original .msp when it asks.')
  }
}
function Remove-ExrPatch($Patch, [string]$LogName, [string]$FailureCode, [string]$BusyCode) {
  $code = ConvertFrom-ExrPackedGuid $Patch.Packed
  Write-Exr 'patch.code' $code
  $log = New-ExrLogPath $LogName
  Write-Exr 'msi.log' $log
  Write-Exr 'progress' ('msiexec /package ' + $exrProductCode + ' /uninstall ' + $code + ' (' + $Patch.DisplayName + ')')
  $exit = Invoke-ExrMsiexec ('/package ' + $exrProductCode + ' /uninstall ' + $code + ' /quiet /norestart /l*v "' + $log + '"')
  Write-ExrMsiOutcome $log $exit
  if ($exit -eq 1618 -and $BusyCode) {
    Stop-Exr $BusyCode ('msiexec could not uninstall ' + $Patch.DisplayName + ' (exit code 1618); see ' + $log)
  }
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
  const body = `Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))
$names = ${psArray(args.interimUpdates)}
foreach ($name in $names) {
  $patch = @(Get-ExrPatches | Where-Object { $_.DisplayName -eq $name }) | Select-Object -First 1
  if (-not $patch) { Write-Exr 'iu.absent' $name; continue }
  Assert-ExrPatchCache $patch $name
  Remove-ExrPatch $patch 'exrollout-remove-iu' 'IU_REMOVAL_FAILED'
  Write-Exr 'iu.removed' $name
}
foreach ($patch in @(Get-ExrPatches)) { Write-Exr 'patch' $patch.DisplayName }
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
 * Repeatable: when no patch names the KB and ExSetup.exe already shows `expectedBuild` (the uninstall already
 * ran), it reports the build and succeeds without running msiexec; with another build it fails
 * PATCH_NOT_INSTALLED.
 */
export function uninstallScript(args: StepArgs['uninstall'], config: DriverConfig): string {
  // Get-ExrBuild writes the short form; a build no file version can have (a part over 65535) never matches.
  const expected = tryParseBuild(args.expectedBuild);
  const expectedBuild = expected ? formatBuild(expected) : args.expectedBuild.trim();
  const body = String.raw`Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))
$kb = ${psLiteral(args.kb)}
$expectedBuild = ${psLiteral(expectedBuild)}
$patch = @(Get-ExrPatches | Where-Object { $_.DisplayName -match ('KB\s?' + $kb + '\b') }) | Select-Object -First 1
if (-not $patch) {
  $exsetup = Get-ExrExSetupPath (Get-ExrInstallPath)
  $build = Get-ExrBuild $exsetup
  Write-Exr 'build' $build
  if ($build -eq $expectedBuild) {
    Write-Exr 'progress' ('update ' + $kb + ' is not installed and ExSetup.exe is already ' + $build + ': nothing to uninstall')
    Write-Exr 'uninstall.skipped' 'not installed, already on the expected build'
    return
  }
  Stop-Exr 'PATCH_NOT_INSTALLED' ('update ' + $kb + ' is not listed under ' + $exrPatchesKey + ', so msiexec cannot remove it, but the build says otherwise: ' + $exsetup + ' is ' + $build + ', not ' + $expectedBuild + ' as recorded before the install. Check the file version of ExSetup.exe and that Patches key to see what is installed, then roll the server back by hand or plan the rollback again.')
}
Write-Exr 'patch.name' $patch.DisplayName
Assert-ExrPatchCache $patch ('update ' + $kb)
Remove-ExrPatch $patch ('exrollout-uninstall-KB' + $kb) 'UNINSTALL_FAILED' 'INSTALLER_BUSY'
Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))`;
  return composeScript({
    defaultCode: 'UNINSTALL_FAILED',
    productCode: args.productCode,
    ...helpersFor(config),
    body,
  });
}
