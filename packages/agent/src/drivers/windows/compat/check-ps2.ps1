using namespace System.Management.Automation.Language
<#
.SYNOPSIS
Checks that PowerShell scripts stay within PowerShell 2.0, the newest an Exchange 2007 SP1 server may run.

.DESCRIPTION
Parses every file with PowerShell's own parser and walks its AST for each construct of the list (the JSON that
constructsJson() in ps3-constructs.ts makes). Prints one JSON line per finding:
  {"file":"...","line":1,"column":1,"kind":"command","construct":"ConvertTo-Json","since":"3.0","text":"..."}
kind is the construct's kind, "parse-error", or "strict-mode" for a script without a top-level
"Set-StrictMode -Version 2". Exits 0 once every file was read, whatever it found, and 1 if one cannot be.
Runs under PowerShell 7 (pwsh); one process checks any number of files.

.EXAMPLE
pwsh -NoProfile -File check-ps2.ps1 -Constructs constructs.json inventory.ps1 install.ps1
#>
param(
  [Parameter(Mandatory = $true)][string]$Constructs,
  [Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Path
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$IgnoreCase = [StringComparer]::OrdinalIgnoreCase

function New-Set($Values) {
  if ($null -eq $Values) { return , [System.Collections.Generic.HashSet[string]]::new($IgnoreCase) }
  , [System.Collections.Generic.HashSet[string]]::new([string[]]@($Values), $IgnoreCase)
}

function Add-To($Table, [string]$Key, $Value) {
  $list = $Table[$Key]
  if ($null -eq $list) { $list = [System.Collections.ArrayList]::new(); $Table[$Key] = $list }
  [void]$list.Add($Value)
}

# The list filed by what a file's walk meets (a command name, a token kind, a type name, ...), so that checking
# a file costs its size, not its size times the length of the list.
function New-Registry($Constructs) {
  $registry = @{}
  foreach ($name in 'command', 'parameter', 'simplified', 'token', 'type', 'member', 'variable', 'parse-error', 'redirection', 'ast') {
    $registry[$name] = [System.Collections.Generic.Dictionary[string, System.Collections.ArrayList]]::new($IgnoreCase)
  }
  foreach ($construct in $Constructs) {
    $match = $construct['match']
    $names = @($match['names'])
    $matcher = @{
      Construct = $construct
      Names = New-Set $names
      First = [string]$names[0]
      MinPrefix = $match['minPrefix']
      Values = if ($null -ne $match['values']) { New-Set $match['values'] } else { $null }
      Ps2Parameters = New-Set $match['ps2Parameters']
      TextPattern = $match['textPattern']
      Static = [bool]$match['static']
      Types = if ($null -ne $match['types']) { New-Set $match['types'] } else { $null }
      MinArguments = $match['minArguments']
    }
    $by = [string]$match['by']
    $keys = switch ($by) {
      'parameter' { if ($match['commands'] -is [string]) { '*' } else { $match['commands'] } }
      'simplified' { $match['commands'] }
      'token' { $match['kinds'] }
      'parse-error' { $match['errorIds'] }
      'redirection' { $match['streams'] }
      'ast' { $match['shape'] }
      default { $names }
    }
    if (-not $registry.ContainsKey($by)) { throw "check-ps2.ps1 does not know the match '$by'" }
    foreach ($key in @($keys)) { Add-To $registry[$by] $key $matcher }
  }
  $registry
}

function Get-Matchers($Registry, [string]$By, $Key) {
  if ($null -eq $Key) { return }
  $list = $null
  if ($Registry[$By].TryGetValue([string]$Key, [ref]$list)) { $list }
}

function New-Finding($Extent, $Matcher) {
  $construct = $Matcher.Construct
  @{ Extent = $Extent; Kind = $construct['kind']; Construct = $construct['name']; Since = $construct['since'] }
}

# Every name a type literal stands for: arrays and generics name their element and argument types too.
function Get-TypeNames($TypeName) {
  if ($null -eq $TypeName) { return }
  $TypeName.FullName
  $TypeName.Name
  if ($TypeName -is [ArrayTypeName]) { Get-TypeNames $TypeName.ElementType }
  if ($TypeName -is [GenericTypeName]) {
    Get-TypeNames $TypeName.TypeName
    foreach ($argument in $TypeName.GenericArguments) { Get-TypeNames $argument }
  }
}

function Test-ParameterName([string]$Given, $Matcher) {
  if ($Matcher.Names.Contains($Given)) { return $true }
  $min = if ($null -ne $Matcher.MinPrefix) { [int]$Matcher.MinPrefix } else { $Matcher.First.Length }
  $Given.Length -ge $min -and $Matcher.First.StartsWith($Given, [StringComparison]::OrdinalIgnoreCase)
}

function Get-ParameterValue($Command, [int]$At) {
  $parameter = $Command.CommandElements[$At]
  if ($null -ne $parameter.Argument) { return $parameter.Argument }
  if ($At + 1 -lt $Command.CommandElements.Count) { return $Command.CommandElements[$At + 1] }
  $null
}

function Find-Parameter($Command, $Matcher) {
  for ($i = 1; $i -lt $Command.CommandElements.Count; $i++) {
    $element = $Command.CommandElements[$i]
    if ($element -isnot [CommandParameterAst] -or -not (Test-ParameterName $element.ParameterName $Matcher)) { continue }
    if ($null -ne $Matcher.Values) {
      $value = Get-ParameterValue $Command $i
      if ($value -isnot [StringConstantExpressionAst] -or -not $Matcher.Values.Contains($value.Value)) { continue }
    }
    New-Finding $element.Extent $Matcher
  }
}

# Where-Object Name -eq 1 / ForEach-Object Name: no script block, and a bare word or a parameter 2.0 lacks.
function Find-Simplified($Command, $Matcher) {
  $scriptBlock = $false; $newParameter = $false; $anyParameter = $false; $word = $false
  for ($i = 1; $i -lt $Command.CommandElements.Count; $i++) {
    $element = $Command.CommandElements[$i]
    if ($element -is [ScriptBlockExpressionAst]) { $scriptBlock = $true }
    elseif ($element -is [CommandParameterAst]) {
      $anyParameter = $true
      if (-not $Matcher.Ps2Parameters.Contains($element.ParameterName)) { $newParameter = $true }
    } elseif ($element -is [StringConstantExpressionAst]) { $word = $true }
  }
  if (-not $scriptBlock -and ($newParameter -or ($word -and -not $anyParameter))) { New-Finding $Command.Extent $Matcher }
}

function Find-InType($Registry, $Node) {
  $seen = @{}
  foreach ($typeName in @(Get-TypeNames $Node.TypeName)) {
    foreach ($matcher in @(Get-Matchers $Registry 'type' $typeName)) {
      if ($seen.ContainsKey($matcher.Construct['name'])) { continue }
      $seen[$matcher.Construct['name']] = $true
      New-Finding $Node.Extent $matcher
    }
  }
}

function Find-InMember($Registry, $Node) {
  if ($Node.Member -isnot [StringConstantExpressionAst]) {
    if ($Node -is [InvokeMemberExpressionAst]) { foreach ($m in @(Get-Matchers $Registry 'ast' 'dynamic-method')) { New-Finding $Node.Extent $m } }
    return
  }
  foreach ($matcher in @(Get-Matchers $Registry 'member' $Node.Member.Value)) {
    if ([bool]$Node.Static -ne $matcher.Static) { continue }
    if ($null -ne $matcher.Types -and -not ($Node.Expression -is [TypeExpressionAst] -and $matcher.Types.Contains($Node.Expression.TypeName.FullName))) { continue }
    $count = if ($Node -is [InvokeMemberExpressionAst] -and $Node.Arguments) { $Node.Arguments.Count } else { 0 }
    if ($null -ne $matcher.MinArguments -and $count -lt [int]$matcher.MinArguments) { continue }
    New-Finding $Node.Extent $matcher
  }
}

function Find-Shape($Registry, [string]$Shape, $Extent) {
  foreach ($matcher in @(Get-Matchers $Registry 'ast' $Shape)) { New-Finding $Extent $matcher }
}

# The hot loop: every node and token of the file, with a dictionary look-up before any function call.
function Find-InFile($Registry, $Ast, $Tokens, $Errors) {
  $commands = $Registry['command']; $parameters = $Registry['parameter']; $simplified = $Registry['simplified']
  $variables = $Registry['variable']; $members = $Registry['member']; $types = $Registry['type']
  $anyParameter = $null
  [void]$parameters.TryGetValue('*', [ref]$anyParameter)
  $list = $null
  foreach ($node in $Ast.FindAll({ $true }, $true)) {
    switch -Exact ($node.GetType().Name) {
      'VariableExpressionAst' {
        $path = $node.VariablePath
        if (-not $path.IsDriveQualified -and $variables.TryGetValue(($path.UserPath -replace '^(?:global|script|local|private):', ''), [ref]$list)) {
          foreach ($matcher in $list) { New-Finding $node.Extent $matcher }
        }
      }
      'CommandAst' {
        $name = $node.GetCommandName()
        if ($null -ne $name) {
          if ($commands.TryGetValue($name, [ref]$list)) { foreach ($matcher in $list) { New-Finding $node.Extent $matcher } }
          if ($parameters.TryGetValue($name, [ref]$list)) { foreach ($matcher in $list) { Find-Parameter $node $matcher } }
          if ($simplified.TryGetValue($name, [ref]$list)) { foreach ($matcher in $list) { Find-Simplified $node $matcher } }
        }
        if ($null -ne $anyParameter -and $node.CommandElements.Count -gt 1) {
          foreach ($matcher in $anyParameter) { Find-Parameter $node $matcher }
        }
      }
      'MemberExpressionAst' { if ($node.Member -isnot [StringConstantExpressionAst] -or $members.ContainsKey($node.Member.Value)) { Find-InMember $Registry $node } }
      'InvokeMemberExpressionAst' { if ($node.Member -isnot [StringConstantExpressionAst] -or $members.ContainsKey($node.Member.Value)) { Find-InMember $Registry $node } }
      'TypeExpressionAst' { if ($types.Count -gt 0) { Find-InType $Registry $node } }
      'TypeConstraintAst' { if ($types.Count -gt 0) { Find-InType $Registry $node } }
      'AttributeAst' { if ($types.Count -gt 0) { Find-InType $Registry $node } }
      'FileRedirectionAst' { foreach ($m in @(Get-Matchers $Registry 'redirection' $node.FromStream)) { New-Finding $node.Extent $m } }
      'MergingRedirectionAst' { foreach ($m in @(Get-Matchers $Registry 'redirection' $node.FromStream)) { New-Finding $node.Extent $m } }
      'TypeDefinitionAst' { Find-Shape $Registry $(if ($node.IsEnum) { 'enum' } else { 'class' }) $node.Extent }
      'UsingStatementAst' { Find-Shape $Registry 'using-statement' $node.Extent }
      'UsingExpressionAst' { Find-Shape $Registry 'using-expression' $node.Extent }
      'NamedAttributeArgumentAst' { if ($node.ExpressionOmitted) { Find-Shape $Registry 'omitted-attribute-value' $node.Extent } }
      'PipelineAst' { if ($node.Background) { Find-Shape $Registry 'background-pipeline' $node.Extent } }
    }
  }
  $tokenKinds = $Registry['token']
  foreach ($token in $Tokens) {
    if (-not $tokenKinds.TryGetValue($token.Kind.ToString(), [ref]$list)) { continue }
    foreach ($matcher in $list) {
      if ($null -eq $matcher.TextPattern -or $token.Text -match $matcher.TextPattern) { New-Finding $token.Extent $matcher }
    }
  }
  foreach ($parseError in $Errors) {
    foreach ($matcher in @(Get-Matchers $Registry 'parse-error' $parseError.ErrorId)) { New-Finding $parseError.Extent $matcher }
  }
  $required = if ($Ast.ScriptRequirements) { $Ast.ScriptRequirements.RequiredPSVersion } else { $null }
  if ($null -ne $required -and $required.Major -ge 3) { Find-Shape $Registry 'requires-version' $Ast.Extent }
}

# Set-StrictMode applies to the scope it runs in: only a top-level call covers the whole script.
function Test-StrictMode2($Ast) {
  foreach ($statement in $Ast.EndBlock.Statements) {
    if ($statement -isnot [PipelineAst] -or $statement.PipelineElements.Count -ne 1) { continue }
    $command = $statement.PipelineElements[0]
    if ($command -isnot [CommandAst] -or $command.GetCommandName() -ine 'Set-StrictMode') { continue }
    for ($i = 1; $i -lt $command.CommandElements.Count; $i++) {
      $element = $command.CommandElements[$i]
      if ($element -isnot [CommandParameterAst] -or $element.ParameterName.Length -lt 4 -or
        -not 'Version'.StartsWith($element.ParameterName, [StringComparison]::OrdinalIgnoreCase)) { continue }
      $value = Get-ParameterValue $command $i
      if ($value -is [ConstantExpressionAst] -and ([string]$value.Value) -in @('2', '2.0')) { return $true }
    }
  }
  $false
}

function Write-Finding([string]$File, $Extent, $Kind, $Construct, $Since) {
  [ordered]@{
    file = $File
    line = $Extent.StartLineNumber
    column = $Extent.StartColumnNumber
    kind = $Kind
    construct = $Construct
    since = $Since
    text = ($Extent.Text -split "`r?`n")[0]
  } | ConvertTo-Json -Compress
}

function Test-File([string]$File, $Registry) {
  $tokens = $null
  $errors = $null
  $ast = [Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
  $lines = @{}
  foreach ($finding in @(Find-InFile $Registry $ast $tokens $errors)) {
    $lines[$finding.Extent.StartLineNumber] = $true
    Write-Finding $File $finding.Extent $finding.Kind $finding.Construct $finding.Since
  }
  # PowerShell 7's parser rejects some older syntax (workflow, configuration): one finding per line is enough.
  foreach ($parseError in $errors) {
    if (-not $lines.ContainsKey($parseError.Extent.StartLineNumber)) {
      Write-Finding $File $parseError.Extent 'parse-error' $parseError.Message $null
    }
  }
  if (-not (Test-StrictMode2 $ast)) {
    Write-Finding $File $ast.Extent 'strict-mode' 'Set-StrictMode -Version 2 at the top level' $null
  }
}

$registry = New-Registry @(Get-Content -LiteralPath $Constructs -Raw | ConvertFrom-Json -AsHashtable)
foreach ($file in $Path) {
  if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { throw "no such file: $file" }
  Test-File (Resolve-Path -LiteralPath $file).ProviderPath $registry
}
