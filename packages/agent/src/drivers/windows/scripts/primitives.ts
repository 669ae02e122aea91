/** The line that opens the host primitives block of every script. */
export const PRIMITIVES_BEGIN = '# ---- exrollout host primitives: begin ----';
/** The line that closes the host primitives block of every script. */
export const PRIMITIVES_END = '# ---- exrollout host primitives: end ----';

/**
 * The host primitives: the only functions through which a script reaches what PowerShell itself cannot stand in
 * for on another machine (the registry, a file's version resource, msiexec.exe, cluster.exe, shutdown.exe and the
 * boot time, the administrator's hooks, the DNS name).
 * Everything else a script does goes through cmdlets and the file system, which a stub host can provide.
 */
export const PRIMITIVE_NAMES = Object.freeze([
  'Test-ExrRegistryKey',
  'Get-ExrRegistryValue',
  'Get-ExrRegistrySubkeys',
  'Set-ExrRegistryDword',
  'Get-ExrFileVersion',
  'Get-ExrHostFqdn',
  'Test-ExrElevated',
  'Invoke-ExrMsiexec',
  'Invoke-ExrClusterExe',
  'Invoke-ExrHook',
  'Get-ExrLastBootTime',
  'Invoke-ExrRestart',
] as const);

// RegistryKey.GetValue returns $null for a missing value, which Set-StrictMode -Version 2 allows where reading a
// missing property of Get-ItemProperty's answer would throw. With $ErrorActionPreference = 'Stop', PowerShell 2.0
// turns a native command's first stderr line into a terminating error; cluster.exe runs with 'Continue' in its
// function's scope only.
const WINDOWS_BODY = String.raw`function Test-ExrRegistryKey([string]$Path) {
  Test-Path -LiteralPath $Path
}
function Get-ExrRegistryValue([string]$Path, [string]$Name) {
  if (-not (Test-Path -LiteralPath $Path)) { return $null }
  (Get-Item -LiteralPath $Path).GetValue($Name)
}
function Get-ExrRegistrySubkeys([string]$Path) {
  if (-not (Test-Path -LiteralPath $Path)) { return }
  foreach ($key in @(Get-ChildItem -LiteralPath $Path)) { [string]$key.PSChildName }
}
function Set-ExrRegistryDword([string]$Path, [string]$Name, [int]$Value) {
  if (-not (Test-Path -LiteralPath $Path)) { [void](New-Item -Path $Path -Force) }
  [void](New-ItemProperty -LiteralPath $Path -Name $Name -Value $Value -PropertyType DWord -Force)
}
function Get-ExrFileVersion([string]$Path) {
  $info = [System.Diagnostics.FileVersionInfo]::GetVersionInfo((ConvertTo-ExrNativePath $Path))
  '{0}.{1}.{2}.{3}' -f $info.FileMajorPart, $info.FileMinorPart, $info.FileBuildPart, $info.FilePrivatePart
}
function Get-ExrHostFqdn {
  [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName
}
function Test-ExrElevated {
  $principal = New-Object System.Security.Principal.WindowsPrincipal([System.Security.Principal.WindowsIdentity]::GetCurrent())
  $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}
function Invoke-ExrMsiexec([string]$Arguments) {
  $info = New-Object System.Diagnostics.ProcessStartInfo
  $info.FileName = Join-ExrPath $env:SystemRoot 'System32\msiexec.exe'
  $info.Arguments = $Arguments
  $info.UseShellExecute = $false
  $process = [System.Diagnostics.Process]::Start($info)
  $process.WaitForExit()
  $process.ExitCode
}
function Invoke-ExrClusterExe([string[]]$Arguments) {
  $ErrorActionPreference = 'Continue'
  $lines = @(& cluster.exe $Arguments 2>&1 | ForEach-Object { [string]$_ })
  New-Object PSObject -Property @{ ExitCode = $LASTEXITCODE; Lines = $lines }
}
function Invoke-ExrHook([string]$Path) {
  $ErrorActionPreference = 'Continue'
  $powershell = Join-ExrPath $PSHOME 'powershell.exe'
  $lines = @(& $powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $Path 2>&1 | ForEach-Object { [string]$_ })
  New-Object PSObject -Property @{ ExitCode = $LASTEXITCODE; Lines = $lines }
}
function Get-ExrLastBootTime {
  $os = Get-WmiObject -Class Win32_OperatingSystem
  [System.Management.ManagementDateTimeConverter]::ToDateTime($os.LastBootUpTime).ToUniversalTime().ToString('o')
}
function Invoke-ExrRestart([string]$Reason) {
  $ErrorActionPreference = 'Continue'
  $shutdown = Join-ExrPath $env:SystemRoot 'System32\shutdown.exe'
  $lines = @(& $shutdown /r /t 30 /d p:2:17 /c $Reason 2>&1 | ForEach-Object { [string]$_ })
  New-Object PSObject -Property @{ ExitCode = $LASTEXITCODE; Lines = $lines }
}`;

/** Wraps a primitives body in the begin and end lines. */
export function primitivesBlock(body: string): string {
  return `${PRIMITIVES_BEGIN}\n${body.trim()}\n${PRIMITIVES_END}`;
}

/** The primitives as they run on a Windows Exchange server. */
export const WINDOWS_PRIMITIVES = primitivesBlock(WINDOWS_BODY);

/**
 * The same script with another primitives block in place of its own (a stand-in host's); throws when the script
 * does not hold exactly one block.
 */
export function replacePrimitives(script: string, block: string): string {
  const begin = script.indexOf(PRIMITIVES_BEGIN);
  const end = script.indexOf(PRIMITIVES_END);
  if (begin < 0 || end < begin || script.indexOf(PRIMITIVES_BEGIN, begin + 1) >= 0)
    throw new Error('the script does not hold exactly one host primitives block');
  return script.slice(0, begin) + block + script.slice(end + PRIMITIVES_END.length);
}
