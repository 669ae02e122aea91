import { KB959241, type PackageRef, type StepArgs } from '@exrollout/core';
import { psLiteral } from '../literal.js';
import type { DriverConfig } from '../options.js';
import { HOST_HELPERS } from './inventory.js';
import { composeScript } from './prelude.js';

/** `$msp`: the staged package's full path on the server. */
const packagePath = (config: DriverConfig, pkg: PackageRef) =>
  `$msp = Join-ExrPath ${psLiteral(config.packageDirectory)} ${psLiteral(pkg.file)}`;

/** Exit codes msiexec uses for success: 0, 3010 (restart required), 1641 (restart started). */
export const MSI_SUCCESS = `function Test-ExrMsiSuccess([int]$ExitCode) { $ExitCode -eq 0 -or $ExitCode -eq 3010 -or $ExitCode -eq 1641 }`;

/**
 * precheck: reports the build, pending reboot flags, free space, architecture and OS, and (when a package is
 * named) whether it is staged and its SHA-256. The parser judges them against the step's arguments.
 */
export function precheckScript(args: StepArgs['precheck'], config: DriverConfig): string {
  const pkg = args.package;
  const packageCheck =
    pkg === undefined
      ? ''
      : `
${packagePath(config, pkg)}
if (Test-Path -LiteralPath $msp) {
  Write-Exr 'progress' ('Computing the SHA-256 of ' + $msp)
  Write-Exr 'package.path' $msp
  Write-Exr 'package.sha256' (Get-ExrSha256 $msp)
} else {
  Write-Exr 'package.missing' $msp
}`;
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

/**
 * stage: whether the package is in the package directory, and its SHA-256 (the agent downloads it, when it must,
 * before and runs this again after); the parser fails it with PACKAGE_MISSING or PACKAGE_HASH_MISMATCH.
 */
export function stageCheckScript(args: StepArgs['stage'], config: DriverConfig): string {
  const body = `${packagePath(config, args.package)}
if (Test-Path -LiteralPath $msp) {
  Write-Exr 'progress' ('Computing the SHA-256 of ' + $msp)
  Write-Exr 'package.path' $msp
  Write-Exr 'package.sha256' (Get-ExrSha256 $msp)
} else {
  Write-Exr 'package.missing' $msp
}`;
  return composeScript({ defaultCode: 'SCRIPT_ERROR', productCode: KB959241.productCode, helpers: [], body });
}

/**
 * install: checks the staged .msp's SHA-256 (nothing runs on a mismatch), skips a server already on the
 * target build, runs `msiexec.exe /update "<msp>" /quiet /norestart /l*v "<log>"`, and fails when msiexec
 * does not succeed or the log holds "Return Value 3". Reports the build afterwards.
 */
export function installScript(args: StepArgs['install'], config: DriverConfig): string {
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
} else {
  $log = New-ExrLogPath ${psLiteral(`exrollout-${args.package.file.replace(/\.msp$/, '')}`)}
  Write-Exr 'msi.log' $log
  Write-Exr 'progress' ('msiexec /update ' + $msp + ' /quiet /norestart (an hour or more is normal)')
  $exit = Invoke-ExrMsiexec ('/update "' + $msp + '" /quiet /norestart /l*v "' + $log + '"')
  Write-ExrMsiOutcome $log $exit
  if (-not (Test-ExrMsiSuccess $exit)) {
    Stop-Exr 'INSTALL_FAILED' ('msiexec /update exited with ' + $exit + '; see ' + $log)
  }
}
Write-Exr 'build' (Get-ExrBuild $exsetup)`;
  return composeScript({
    defaultCode: 'INSTALL_FAILED',
    productCode: KB959241.productCode,
    ...(config.logDirectory === undefined ? {} : { logDirectory: config.logDirectory }),
    helpers: [MSI_SUCCESS],
    body,
  });
}
