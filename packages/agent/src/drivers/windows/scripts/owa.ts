import { KB959241 } from '@exrollout/core';
import { psLiteral } from '../literal.js';
import type { DriverConfig } from '../options.js';
import { composeScript } from './prelude.js';

/**
 * Finds OWA files that differ from the shipped ones, as paths relative to `<Exchange>\ClientAccess\Owa`.
 * With a manifest (`<sha256> <relative path>` lines taken from a clean server of the same build) a file is
 * changed when its hash differs or it is not listed; without one, when it was written more than a day after
 * ExSetup.exe (shipped files keep their build-time stamps). Versioned folders other than the one OWA serves are
 * skipped: they are left over from earlier rollups. OWA serves the newest folder of ExSetup.exe's major.minor.build,
 * whose revision may differ (plain SP1: ExSetup.exe 8.1.240.6, Owa\8.1.240.5).
 */
export const OWA_HELPERS = String.raw`function Get-ExrOwaFolder([string]$OwaRoot, [string]$Build) {
  $prefix = $Build.Substring(0, $Build.LastIndexOf('.') + 1)
  $best = $null
  foreach ($folder in @(Get-ChildItem -LiteralPath $OwaRoot -Force | Where-Object { $_.PSIsContainer })) {
    if ($folder.Name -match '^\d+\.\d+\.\d+\.\d+$' -and $folder.Name.StartsWith($prefix)) {
      if ($null -eq $best -or ([version]$folder.Name) -gt ([version]$best)) { $best = $folder.Name }
    }
  }
  if ($null -eq $best) { return $Build }
  $best
}
function Get-ExrOwaChanges([string]$OwaRoot, [string]$ExSetup, [string]$Build, [string]$Manifest) {
  $served = Get-ExrOwaFolder $OwaRoot $Build
  $rootLength = (Get-Item -LiteralPath $OwaRoot).FullName.TrimEnd('\', '/').Length + 1
  $files = @(Get-ChildItem -LiteralPath $OwaRoot -Recurse -Force | Where-Object { -not $_.PSIsContainer })
  $known = $null
  if ($Manifest -and (Test-Path -LiteralPath $Manifest)) {
    $known = @{}
    foreach ($line in @(Read-ExrLines $Manifest)) {
      if ($line -match '^([0-9a-fA-F]{64})\s+(.+)$') { $known[$matches[2].Trim().ToLower()] = $matches[1].ToLower() }
    }
  }
  $since = (Get-Item -LiteralPath $ExSetup).LastWriteTimeUtc.AddDays(1)
  foreach ($file in $files) {
    $relative = $file.FullName.Substring($rootLength).Replace('/', '\')
    $top = $relative.Split('\')[0]
    if ($top -match '^\d+\.\d+\.\d+\.\d+$' -and $top -ne $served) { continue }
    if ($null -ne $known) {
      $expected = $known[$relative.ToLower()]
      if (-not $expected -or $expected -ne (Get-ExrSha256 $file.FullName)) { $relative }
    } elseif ($file.LastWriteTimeUtc -gt $since) { $relative }
  }
}
function Get-ExrOwaMethod([string]$Manifest) {
  if ($Manifest -and (Test-Path -LiteralPath $Manifest)) { 'manifest' } else { 'timestamp' }
}
function Write-ExrOwaChanges([string]$Method, $Changes) {
  Write-Exr 'owa.method' $Method
  Write-Exr 'owa.changedCount' $Changes.Count
  foreach ($change in @($Changes | Select-Object -First 50)) { Write-Exr 'owa.changed' $change }
}`;

/** `$owa`, `$exsetup` and `$build` for the OWA scripts, failing with the step's code when OWA is missing. */
const locateOwa = (code: string) => String.raw`$install = Get-ExrInstallPath
$exsetup = Get-ExrExSetupPath $install
$build = Get-ExrBuild $exsetup
$owa = Join-ExrPath $install 'ClientAccess\Owa'
if (-not (Test-Path -LiteralPath $owa)) { Stop-Exr '${code}' ('no OWA folder at ' + $owa + ': this is not a Client Access server') }`;

/** The manifest literal, or an empty string when none is configured. */
export const manifestLiteral = (config: DriverConfig): string => psLiteral(config.owaManifest ?? '');

/**
 * backup-owa: copies the whole OWA folder to `<backupDirectory>\<yyyyMMdd-HHmmss>\Owa`, records the changed
 * files (changed.txt) and the build (build.txt), checks the copy's file count, and points latest.txt at it.
 */
export function backupOwaScript(config: DriverConfig): string {
  const body = `${locateOwa('OWA_BACKUP_FAILED')}
$manifest = ${manifestLiteral(config)}
$method = Get-ExrOwaMethod $manifest
$changes = @(Get-ExrOwaChanges $owa $exsetup $build $manifest)
$root = ${psLiteral(config.backupDirectory)}
$backup = Join-ExrPath $root ((Get-Date).ToString('yyyyMMdd-HHmmss'))
New-ExrDirectory $backup
Write-Exr 'progress' ('Copying ' + $owa + ' to ' + $backup)
$copy = Join-ExrPath $backup 'Owa'
Copy-Item -LiteralPath $owa -Destination $copy -Recurse -Force
$sourceCount = @(Get-ChildItem -LiteralPath $owa -Recurse -Force | Where-Object { -not $_.PSIsContainer }).Count
$copyCount = @(Get-ChildItem -LiteralPath $copy -Recurse -Force | Where-Object { -not $_.PSIsContainer }).Count
if ($copyCount -ne $sourceCount) { Stop-Exr 'OWA_BACKUP_FAILED' ('copied ' + $copyCount + ' of ' + $sourceCount + ' files to ' + $copy) }
Write-ExrLines (Join-ExrPath $backup 'changed.txt') $changes
$folder = Get-ExrOwaFolder $owa $build
Write-ExrLines (Join-ExrPath $backup 'build.txt') @($folder)
Write-ExrLines (Join-ExrPath $root 'latest.txt') @($backup)
Write-Exr 'build' $build
Write-Exr 'owa.backup' $backup
Write-Exr 'owa.folder' $folder
Write-Exr 'owa.files' $copyCount
Write-ExrOwaChanges $method $changes`;
  return composeScript({
    defaultCode: 'OWA_BACKUP_FAILED',
    productCode: KB959241.productCode,
    helpers: [OWA_HELPERS],
    body,
  });
}

/**
 * restore-owa: copies the files listed in the latest backup's changed.txt back into the OWA folder. A file
 * under the old build's versioned folder goes to the new build's folder; the file it replaces is kept under
 * `<backup>\PostInstall` so that the restore itself can be undone by hand; run again, the restore keeps the
 * copies the first run made there (the files it would replace now are the restored ones).
 */
export function restoreOwaScript(config: DriverConfig): string {
  const body = String.raw`$root = ${psLiteral(config.backupDirectory)}
$latest = Join-ExrPath $root 'latest.txt'
if (-not (Test-Path -LiteralPath $latest)) { Stop-Exr 'OWA_RESTORE_FAILED' ('no OWA backup: ' + $latest + ' does not exist; run backup-owa before the install') }
$backup = ([string](@(Read-ExrLines $latest) | Select-Object -First 1)).Trim()
$savedBuild = ([string](@(Read-ExrLines (Join-ExrPath $backup 'build.txt')) | Select-Object -First 1)).Trim()
$changes = @(Read-ExrLines (Join-ExrPath $backup 'changed.txt') | Where-Object { $_ })
${locateOwa('OWA_RESTORE_FAILED')}
$served = Get-ExrOwaFolder $owa $build
Write-Exr 'owa.folder' $served
$servedExists = Test-Path -LiteralPath (Join-ExrPath $owa $served)
$unserved = @()
foreach ($relative in $changes) {
  $target = $relative
  $top = $relative.Split('\')[0]
  if ($top -eq $savedBuild) { $target = $served + $relative.Substring($top.Length) }
  $source = Join-ExrPath (Join-ExrPath $backup 'Owa') $relative
  $destination = Join-ExrPath $owa $target
  $kept = Join-ExrPath (Join-ExrPath $backup 'PostInstall') $target
  if ((Test-Path -LiteralPath $destination) -and -not (Test-Path -LiteralPath $kept)) {
    New-ExrDirectory (Split-ExrParent $kept)
    Copy-Item -LiteralPath $destination -Destination $kept -Force
  }
  New-ExrDirectory (Split-ExrParent $destination)
  Copy-Item -LiteralPath $source -Destination $destination -Force
  Write-Exr 'owa.restored' $target
  $targetTop = $target.Split('\')[0]
  $inServed = ($targetTop -notmatch '^\d+\.\d+\.\d+\.\d+$') -or ($targetTop -eq $served -and $servedExists)
  if (-not ((Test-Path -LiteralPath $destination) -and $inServed)) { $unserved += $destination }
}
if ($unserved.Count -gt 0) {
  Stop-Exr 'OWA_RESTORE_FAILED' ('restored, but not where OWA serves its files (' + (Join-ExrPath $owa $served) + '): ' + [string]::Join(', ', $unserved))
}
Write-Exr 'build' $build
Write-Exr 'owa.backup' $backup`;
  return composeScript({
    defaultCode: 'OWA_RESTORE_FAILED',
    productCode: KB959241.productCode,
    helpers: [OWA_HELPERS],
    body,
  });
}
