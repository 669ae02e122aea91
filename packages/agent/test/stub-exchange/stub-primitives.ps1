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
# ---- exrollout host primitives: end ----
