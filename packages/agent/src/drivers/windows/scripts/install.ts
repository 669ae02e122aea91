import { KB959241, type PackageRef, type StepArgs } from '@exrollout/core';
import { psArray, psLiteral } from '../literal.js';
import type { DriverConfig } from '../options.js';
import { HOST_HELPERS } from './inventory.js';
import { composeScript } from './prelude.js';

/** `$msp`: the staged package's full path on the server. */
const packagePath = (config: DriverConfig, pkg: PackageRef) =>
  `$msp = Join-ExrPath ${psLiteral(config.packageDirectory)} ${psLiteral(pkg.file)}`;

/** Reports the staged package's path and SHA-256 (`package.path`, `package.sha256`), or that it is missing. */
const reportPackage = (config: DriverConfig, pkg: PackageRef) => `${packagePath(config, pkg)}
if (Test-Path -LiteralPath $msp) {
  Write-Exr 'progress' ('Computing the SHA-256 of ' + $msp)
  Write-Exr 'package.path' $msp
  Write-Exr 'package.sha256' (Get-ExrSha256 $msp)
} else {
  Write-Exr 'package.missing' $msp
}`;

/** Exit codes msiexec uses for success: 0, 3010 (restart required), 1641 (restart started). */
export const MSI_SUCCESS = `function Test-ExrMsiSuccess([int]$ExitCode) { $ExitCode -eq 0 -or $ExitCode -eq 3010 -or $ExitCode -eq 1641 }`;

/**
 * precheck: reports the build, pending reboot flags, free space, architecture and OS, and (when a package is
 * named) whether it is staged and its SHA-256. The parser judges them against the step's arguments.
 */
export function precheckScript(args: StepArgs['precheck'], config: DriverConfig): string {
  const pkg = args.package;
  const packageCheck = pkg === undefined ? '' : `\n${reportPackage(config, pkg)}`;
  const body = `Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))
Write-ExrRebootFacts
Write-ExrHostFacts${packageCheck}`;
  return composeScript({
    defaultCode: 'SCRIPT_ERROR',
    productCode: KB959241.productCode,
    helpers: [HOST_HELPERS],
    body,
  });
}

// The publisher revocation check of WinTrust ("Check for publisher's certificate revocation"), in the hive of the
// account msiexec runs as: bit 0x200 of State set turns it off (0x23c00 is Windows' default, 0x23e00 is off).
const CRL_SWITCH = String.raw`$exrCrlKey = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\WinTrust\Trust Providers\Software Publishing'
function Get-ExrCrlState {
  $state = Get-ExrRegistryValue $exrCrlKey 'State'
  if ($null -eq $state) { return 0x23c00 }
  [int]$state
}
function Disable-ExrCrlCheck([int]$State) {
  Write-Exr 'crl.previous' ('0x{0:x}' -f $State)
  Set-ExrRegistryDword $exrCrlKey 'State' ($State -bor 0x200)
}
function Restore-ExrCrlCheck([int]$State) {
  Set-ExrRegistryDword $exrCrlKey 'State' $State
  Write-Exr 'crl.restored' $true
}`;

// Hooks are the administrator's scripts in the hooks folder, run by name; the server never sends script text.
const HOOKS = String.raw`function Invoke-ExrHooks([string]$Folder, [string]$Phase, [string[]]$Names) {
  foreach ($name in $Names) {
    $path = Join-ExrPath $Folder ($name + '.ps1')
    $when = 'after msiexec'
    if ($Phase -eq 'before') { $when = 'before msiexec: nothing was installed' }
    if (-not (Test-Path -LiteralPath $path)) { Stop-Exr 'HOOK_NOT_FOUND' ('hook ' + $name + ' is not in the agent''s hooks folder: ' + $path + ' does not exist (' + $when + ')') }
    Write-Exr 'progress' ('hook ' + $Phase + ':' + $name)
    Write-Exr 'hook.ran' ($Phase + ':' + $name)
    $run = Invoke-ExrHook $path
    foreach ($line in @($run.Lines | Select-Object -Last 5)) { Write-Exr 'hook.output' $line }
    if ($run.ExitCode -ne 0) { Stop-Exr 'HOOK_FAILED' ('hook ' + $name + ' failed with exit code ' + $run.ExitCode + ' ' + $when) }
  }
}`;

/**
 * stage: whether the package is in the package directory, and its SHA-256 (the agent downloads it, when it must,
 * before and runs this again after); the parser fails it with PACKAGE_MISSING or PACKAGE_HASH_MISMATCH.
 */
export function stageCheckScript(args: StepArgs['stage'], config: DriverConfig): string {
  const body = reportPackage(config, args.package);
  return composeScript({ defaultCode: 'SCRIPT_ERROR', productCode: KB959241.productCode, helpers: [], body });
}

/**
 * install: checks the staged .msp's SHA-256 (nothing runs on a mismatch), skips a server already on the
 * target build, runs the `before` hooks, turns the revocation check off if asked, runs
 * `msiexec.exe /update "<msp>" /quiet /norestart /l*v "<log>"`, puts the check back and runs the `after` hooks
 * whatever msiexec did; fails when msiexec does not succeed (1618: INSTALLER_BUSY). Reports the build afterwards.
 */
export function installScript(args: StepArgs['install'], config: DriverConfig): string {
  const hooks = args.hooks ?? { before: [], after: [] };
  const crlOff = args.crlCheckOff === true;
  const body = `${packagePath(config, args.package)}
$exsetup = Get-ExrExSetupPath (Get-ExrInstallPath)
$before = Get-ExrBuild $exsetup
Write-Exr 'build.before' $before
Write-Exr 'build' $before
if (-not (Test-Path -LiteralPath $msp)) { Stop-Exr 'PACKAGE_MISSING' ($msp + ' does not exist: stage the package there first') }
Write-Exr 'progress' ('Computing the SHA-256 of ' + $msp)
$expected = ${psLiteral(args.package.sha256)}
$actual = Get-ExrSha256 $msp
Write-Exr 'package.sha256' $actual
if ($actual -ne $expected) { Stop-Exr 'PACKAGE_HASH_MISMATCH' ($msp + ' has SHA-256 ' + $actual + ', expected ' + $expected + '; it was not run') }
if ($before -eq ${psLiteral(args.targetBuild)}) {
  Write-Exr 'install.skipped' 'already on the target build'
  return
}
$hooks = ${psLiteral(config.hooksDirectory)}
Invoke-ExrHooks $hooks 'before' ${psArray(hooks.before)}
$failure = $null
try {
  $crlState = ${crlOff ? 'Get-ExrCrlState' : '$null'}
  if ($null -ne $crlState) { Disable-ExrCrlCheck $crlState }
  try {
    Invoke-ExrMsiUpdate $msp
  } finally {
    if ($null -ne $crlState) { Restore-ExrCrlCheck $crlState }
  }
} catch {
  $failure = $_
}
Write-Exr 'build' (Get-ExrBuild $exsetup)
try {
  Invoke-ExrHooks $hooks 'after' ${psArray(hooks.after)}
} catch {
  if ($null -eq $failure) { throw }
  Write-Exr 'hook.afterFailure' $_.Exception.Message
}
if ($null -ne $failure) { throw $failure }`;
  return composeScript({
    defaultCode: 'INSTALL_FAILED',
    productCode: KB959241.productCode,
    ...(config.logDirectory === undefined ? {} : { logDirectory: config.logDirectory }),
    helpers: [MSI_SUCCESS, msiUpdate(args.package.file), ...(crlOff ? [CRL_SWITCH] : []), HOOKS],
    body,
  });
}

const msiUpdate = (file: string) => String.raw`function Invoke-ExrMsiUpdate([string]$Msp) {
  $log = New-ExrLogPath ${psLiteral(`exrollout-${file.replace(/\.msp$/, '')}`)}
  Write-Exr 'msi.log' $log
  Write-Exr 'progress' ('msiexec /update ' + $Msp + ' /quiet /norestart (an hour or more is normal)')
  $exit = Invoke-ExrMsiexec ('/update "' + $Msp + '" /quiet /norestart /l*v "' + $log + '"')
  Write-ExrMsiOutcome $log $exit
  if ($exit -eq 1618) { Stop-Exr 'INSTALLER_BUSY' ('msiexec /update exited with 1618; see ' + $log) }
  if (-not (Test-ExrMsiSuccess $exit)) { Stop-Exr 'INSTALL_FAILED' ('msiexec /update exited with ' + $exit + '; see ' + $log) }
}`;
