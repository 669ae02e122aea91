# ---- exrollout host primitives: begin ----
# The stub Exchange host's primitives: the same names and answers as the Windows ones, read from the stub's state.
function Test-ExrRegistryKey([string]$Path) {
  Test-StubRegistryKey $Path
}
function Get-ExrRegistryValue([string]$Path, [string]$Name) {
  Get-StubRegistryValue $Path $Name
}
function Get-ExrRegistrySubkeys([string]$Path) {
  Get-StubRegistrySubkeys $Path
}
function Set-ExrRegistryDword([string]$Path, [string]$Name, [int]$Value) {
  Set-StubRegistryDword $Path $Name $Value
}
function Get-ExrFileVersion([string]$Path) {
  Get-StubFileVersion $Path
}
function Get-ExrHostFqdn {
  [string](Get-StubState).fqdn
}
function Test-ExrElevated {
  [bool](Get-StubState).elevated
}
function Invoke-ExrMsiexec([string]$Arguments) {
  Invoke-StubMsiexec $Arguments
}
function Invoke-ExrClusterExe([string[]]$Arguments) {
  Invoke-StubClusterExe $Arguments
}
function Invoke-ExrHook([string]$Path) {
  Invoke-StubHook $Path
}
function Get-ExrLastBootTime {
  # ConvertFrom-Json reads an ISO date as a DateTime; the Windows primitive answers in ISO 8601, UTC.
  $booted = (Get-StubState).bootTime
  if ($booted -is [datetime]) { return $booted.ToUniversalTime().ToString('o') }
  [string]$booted
}
function Invoke-ExrRestart([string]$Reason) {
  Invoke-StubRestart $Reason
}
# ---- exrollout host primitives: end ----
