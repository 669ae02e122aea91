import type { PowerShellStepErrorCode } from '../codes.js';
import { PACKED_GUID_ORDER, packGuid } from '../guid.js';
import { psLiteral } from '../literal.js';
import { WINDOWS_PRIMITIVES } from './primitives.js';

/** The Exchange 2007 snap-in every script that calls an Exchange cmdlet loads first. */
export const EXCHANGE_SNAPIN = 'Microsoft.Exchange.Management.PowerShell.Admin';

const INSTALLER_USERDATA =
  'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\UserData\\S-1-5-18';

/** ConvertTo-ExrValue: escapes `\`, `|`, CR, LF and every non-ASCII character (`\uXXXX`) of a value. */
export const EXR_VALUE_FUNCTION = String.raw`function ConvertTo-ExrValue([string]$Text) {
  $builder = New-Object System.Text.StringBuilder
  foreach ($ch in $Text.ToCharArray()) {
    $code = [int]$ch
    if ($code -eq 92) { [void]$builder.Append('\\') }
    elseif ($code -eq 124) { [void]$builder.Append('\p') }
    elseif ($code -eq 10) { [void]$builder.Append('\n') }
    elseif ($code -eq 13) { [void]$builder.Append('\r') }
    elseif ($code -lt 32 -or $code -gt 126) { [void]$builder.Append('\u' + $code.ToString('x4')) }
    else { [void]$builder.Append($ch) }
  }
  $builder.ToString()
}`;

// Output and failure: every script speaks only through these, so the TypeScript parser sees one format.
const OUTPUT = `Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
${EXR_VALUE_FUNCTION}
function Write-Exr([string]$Key, $Value) {
  Write-Output ('EXR|' + $Key + '|' + (ConvertTo-ExrValue ([string]$Value)))
}
function Stop-Exr([string]$Code, [string]$Message) {
  throw ('EXR:' + $Code + ':' + $Message)
}
function Write-ExrFailure($ErrorRecord, [string]$DefaultCode) {
  $message = [string]$ErrorRecord.Exception.Message
  $code = $DefaultCode
  if ($message -cmatch '(?s)^EXR:([A-Z0-9_]+):(.*)$') { $code = $matches[1]; $message = $matches[2] }
  Write-Exr 'error.code' $code
  Write-Exr 'error.message' $message
  Write-Exr 'status' 'error'
}`;

// Paths: scripts name files by their Windows paths and hand .NET the provider's path for them, which is the same
// path on Windows and what a PowerShell drive maps it to elsewhere. Joining is plain text, so that every path a
// script reports reads the same wherever it ran.
const PATHS = String.raw`function ConvertTo-ExrNativePath([string]$Path) {
  $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}
function Join-ExrPath([string]$Parent, [string]$Child) {
  $Parent.TrimEnd('\') + '\' + $Child.TrimStart('\')
}
function Split-ExrParent([string]$Path) {
  $trimmed = $Path.TrimEnd('\')
  $trimmed.Substring(0, [math]::Max(0, $trimmed.LastIndexOf('\')))
}
function Read-ExrLines([string]$Path) {
  [System.IO.File]::ReadAllLines((ConvertTo-ExrNativePath $Path))
}
function Write-ExrLines([string]$Path, [string[]]$Lines) {
  [System.IO.File]::WriteAllLines((ConvertTo-ExrNativePath $Path), $Lines)
}
function New-ExrDirectory([string]$Path) {
  [void][System.IO.Directory]::CreateDirectory((ConvertTo-ExrNativePath $Path))
}`;

// Reading Exchange: install path, ExSetup.exe build, the snap-in.
const EXCHANGE = String.raw`function Get-ExrInstallPath {
  $key = 'HKLM:\SOFTWARE\Microsoft\Exchange\Setup'
  if (-not (Test-ExrRegistryKey $key)) {
    Stop-Exr 'EXCHANGE_NOT_FOUND' ($key + ' does not exist: Exchange 2007 is not installed, or this PowerShell is 32-bit on a 64-bit server')
  }
  $path = [string](Get-ExrRegistryValue $key 'MsiInstallPath')
  if (-not $path) { Stop-Exr 'EXCHANGE_NOT_FOUND' ('MsiInstallPath under ' + $key + ' is empty') }
  $path.TrimEnd('\')
}
function Get-ExrExSetupPath([string]$InstallPath) {
  $exsetup = Join-ExrPath $InstallPath 'Bin\ExSetup.exe'
  if (-not (Test-Path -LiteralPath $exsetup)) { Stop-Exr 'EXCHANGE_NOT_FOUND' ($exsetup + ' does not exist') }
  $exsetup
}
function Get-ExrBuild([string]$ExSetup) {
  Get-ExrFileVersion $ExSetup
}
function Add-ExrExchangeShell {
  if (Get-PSSnapin -Name '${EXCHANGE_SNAPIN}' -ErrorAction SilentlyContinue) { return }
  try { Add-PSSnapin -Name '${EXCHANGE_SNAPIN}' }
  catch { Stop-Exr 'EXCHANGE_SHELL_UNAVAILABLE' ('Add-PSSnapin ${EXCHANGE_SNAPIN} failed: ' + $_.Exception.Message) }
}
function Get-ExrSha256([string]$Path) {
  $sha = [System.Security.Cryptography.SHA256]::Create()
  $stream = [System.IO.File]::OpenRead((ConvertTo-ExrNativePath $Path))
  try { $bytes = $sha.ComputeHash($stream) } finally { $stream.Close() }
  $hex = New-Object System.Text.StringBuilder
  foreach ($b in $bytes) { [void]$hex.Append($b.ToString('x2')) }
  $hex.ToString()
}`;

// Windows Installer: the product's Patches key, patch codes, the patch cache, msiexec and its log.
const installer = (
  productCode: string,
  logDirectory: string | undefined,
) => String.raw`$exrProductCode = ${psLiteral(productCode)}
$exrPatchesKey = ${psLiteral(`${INSTALLER_USERDATA}\\Products\\${packGuid(productCode)}\\Patches`)}
$exrPatchDataKey = ${psLiteral(`${INSTALLER_USERDATA}\\Patches`)}
function Get-ExrPatches {
  foreach ($packed in @(Get-ExrRegistrySubkeys $exrPatchesKey)) {
    $name = [string](Get-ExrRegistryValue ($exrPatchesKey + '\' + $packed) 'DisplayName')
    New-Object PSObject -Property @{ Packed = $packed; DisplayName = $name }
  }
}
function ConvertFrom-ExrPackedGuid([string]$Packed) {
  $chars = $Packed.ToUpper().ToCharArray()
  $order = @(${PACKED_GUID_ORDER.join(', ')})
  $hex = [string]::Join('', @($order | ForEach-Object { [string]$chars[$_] }))
  '{' + $hex.Substring(0, 8) + '-' + $hex.Substring(8, 4) + '-' + $hex.Substring(12, 4) + '-' + $hex.Substring(16, 4) + '-' + $hex.Substring(20, 12) + '}'
}
function Get-ExrPatchCache([string]$Packed) {
  [string](Get-ExrRegistryValue ($exrPatchDataKey + '\' + $Packed) 'LocalPackage')
}
function New-ExrLogPath([string]$Name) {
  $dir = ${logDirectory === undefined ? String.raw`$env:SystemDrive + '\ExchangeSetupLogs'` : psLiteral(logDirectory)}
  New-ExrDirectory $dir
  Join-ExrPath $dir ($Name + '-' + (Get-Date).ToString('yyyyMMdd-HHmmss') + '.log')
}
function Get-ExrMsiFailures([string]$Log) {
  if (-not (Test-Path -LiteralPath $Log)) { return }
  $found = 0
  foreach ($line in @(Read-ExrLines $Log)) {
    if ($found -lt 5 -and $line.IndexOf('Return Value 3', [System.StringComparison]::OrdinalIgnoreCase) -ge 0) {
      $found++
      $line.Trim()
    }
  }
}
# The custom action that failed names the cause better than "Return Value 3" does.
function Get-ExrMsiCustomActions([string]$Log) {
  if (-not (Test-Path -LiteralPath $Log)) { return }
  $found = 0
  foreach ($line in @(Read-ExrLines $Log)) {
    if ($found -lt 3 -and $line -match 'CustomAction \S+ returned actual error code \d+') {
      $found++
      $matches[0]
    }
  }
}
function Write-ExrMsiOutcome([string]$Log, [int]$ExitCode) {
  Write-Exr 'msi.exitCode' $ExitCode
  foreach ($line in @(Get-ExrMsiFailures $Log)) { Write-Exr 'msi.failure' $line }
  foreach ($line in @(Get-ExrMsiCustomActions $Log)) { Write-Exr 'msi.customAction' $line }
  if ($ExitCode -eq 3010 -or $ExitCode -eq 1641) { Write-Exr 'msi.rebootRequired' $true }
}`;

/** What a script needs besides its own body. */
export interface ScriptParts {
  /** The code a failure gets when the body throws without a code of its own. */
  readonly defaultCode: PowerShellStepErrorCode;
  /** Product code whose Windows Installer patches the script reads. */
  readonly productCode: string;
  readonly logDirectory?: string;
  /** Extra helper functions (OWA, services, cluster). */
  readonly helpers?: readonly string[];
  /** The body of Invoke-ExrMain. */
  readonly body: string;
}

/**
 * A complete script: the shared helpers, `Invoke-ExrMain` holding the body, and a try/catch that ends every
 * run with `EXR|status|ok` or `EXR|status|error` plus `error.code` and `error.message`.
 */
export function composeScript(parts: ScriptParts): string {
  return [
    OUTPUT,
    PATHS,
    WINDOWS_PRIMITIVES,
    EXCHANGE,
    installer(parts.productCode, parts.logDirectory),
    ...(parts.helpers ?? []),
    `function Invoke-ExrMain {\n${indent(parts.body)}\n}`,
    `try {
  Invoke-ExrMain
  Write-Exr 'status' 'ok'
} catch {
  Write-ExrFailure $_ ${psLiteral(parts.defaultCode)}
}`,
    '',
  ].join('\n');
}

function indent(body: string): string {
  return body
    .trim()
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}
