# Runs many scripts on stub hosts in one PowerShell process, for the tests: each request is one JSON line
# {"root": "<stub host folder>", "script": "<base64 UTF-8>"}, run in a runspace of its own (as a fresh
# powershell.exe would be) with the stub's primitives swapped in; each answer one JSON line
# {"stdout": "...", "stderr": "..."}.
$ErrorActionPreference = 'Stop'
. (Join-Path (Split-Path -Parent $MyInvocation.MyCommand.Path) 'StubLaunch.ps1')
while ($null -ne ($line = [Console]::In.ReadLine())) {
  $request = $line | ConvertFrom-Json
  $out = New-Object System.Text.StringBuilder
  $err = New-Object System.Text.StringBuilder
  try {
    $script = Convert-StubScript ([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($request.script)))
    Initialize-StubEnvironment $request.root
    $shell = [powershell]::Create()
    [void]$shell.AddScript((Get-StubSessionPrologue $request.root) + $script)
    try {
      foreach ($item in $shell.Invoke()) { [void]$out.Append([string]$item).Append("`n") }
    } catch {
      [void]$err.Append($_.Exception.Message).Append("`n")
    }
    foreach ($record in $shell.Streams.Error) { [void]$err.Append([string]$record).Append("`n") }
    $shell.Dispose()
  } catch {
    [void]$err.Append('stub host: ' + $_.Exception.Message).Append("`n")
  }
  [Console]::Out.WriteLine((@{ stdout = $out.ToString(); stderr = $err.ToString() } | ConvertTo-Json -Compress))
  [Console]::Out.Flush()
}
