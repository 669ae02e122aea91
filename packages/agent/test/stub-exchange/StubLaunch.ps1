# Shared by the stub's two ways in (launch.ps1, one script per process as the agent's runner starts it; serve.ps1,
# many scripts in one process for the tests): the script swap and the host's environment.

$script:StubHere = Split-Path -Parent $MyInvocation.MyCommand.Path
$script:PrimitivesBegin = '# ---- exrollout host primitives: begin ----'
$script:PrimitivesEnd = '# ---- exrollout host primitives: end ----'

# The script with the stub's primitives block in place of its own, and nothing else changed.
function Convert-StubScript([string]$Script) {
  $begin = $Script.IndexOf($script:PrimitivesBegin)
  $end = $Script.IndexOf($script:PrimitivesEnd)
  if ($begin -lt 0 -or $end -lt $begin -or $Script.IndexOf($script:PrimitivesBegin, $begin + 1) -ge 0) {
    throw 'the script does not hold exactly one host primitives block'
  }
  $block = (Get-Content -Raw -LiteralPath (Join-Path $script:StubHere 'stub-primitives.ps1')).Trim()
  $Script.Substring(0, $begin) + $block + $Script.Substring($end + $script:PrimitivesEnd.Length)
}

# What a Windows server has before any script runs: its environment variables, and drive C:.
function Initialize-StubEnvironment([string]$Root) {
  $env:EXR_STUB_ROOT = $Root
  $state = Get-Content -Raw -LiteralPath (Join-Path $Root 'state.json') | ConvertFrom-Json -AsHashtable
  foreach ($name in $state.env.Keys) { [System.Environment]::SetEnvironmentVariable($name, [string]$state.env[$name]) }
  [System.Environment]::SetEnvironmentVariable('PROCESSOR_ARCHITEW6432', $null)
}

# The lines that make drive C: and load the stub's cmdlets, run in the session the script runs in.
function Get-StubSessionPrologue([string]$Root) {
  $drive = (Join-Path $Root 'C').Replace("'", "''")
  $stub = (Join-Path $script:StubHere 'StubExchange.ps1').Replace("'", "''")
  "`$null = New-PSDrive -Name C -PSProvider FileSystem -Root '$drive' -Scope Global`n. '$stub'`n"
}
