# Stands in for powershell.exe on the stub host: reads the runner's one stdin line (the script as base64 UTF-8),
# swaps in the stub's host primitives, and runs the script as powershell.exe -Command - would.
$ErrorActionPreference = 'Stop'
. (Join-Path (Split-Path -Parent $MyInvocation.MyCommand.Path) 'StubLaunch.ps1')
$line = [Console]::In.ReadLine()
if ($line -notmatch "FromBase64String\('([A-Za-z0-9+/=]*)'\)") { throw 'stdin does not hold the runner''s script line' }
$exrScript = Convert-StubScript ([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($matches[1])))
$root = $env:EXR_STUB_ROOT
if (-not $root) { throw 'EXR_STUB_ROOT is not set: it names the stub host folder' }
Initialize-StubEnvironment $root
Invoke-Expression ((Get-StubSessionPrologue $root) + $exrScript)
