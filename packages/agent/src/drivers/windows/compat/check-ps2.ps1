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


function New-Finding($File, $Extent, [string]$Kind, [string]$Construct, $Since) {
  [pscustomobject][ordered]@{
    file = $File
    line = $Extent.StartLineNumber
    column = $Extent.StartColumnNumber
    kind = $Kind
    construct = $Construct
    since = $Since
    text = ($Extent.Text -split "`r?`n")[0]
  }
}

function Test-Name([string]$Name, $Names) {
  foreach ($candidate in $Names) { if ($Name -ieq $candidate) { return $true } }
  $false
}

function Find-Ast($Ast, [string]$TypeName) {
  $type = "System.Management.Automation.Language.$TypeName" -as [type]
  @($Ast.FindAll({ param($node) $node -is $type }.GetNewClosure(), $true))
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

function Test-ParameterName([string]$Given, $Match) {
  if (Test-Name $Given $Match.names) { return $true }
  $first = [string]$Match.names[0]
  $min = if ($Match.PSObject.Properties['minPrefix']) { [int]$Match.minPrefix } else { $first.Length }
  $Given.Length -ge $min -and $first.StartsWith($Given, [StringComparison]::OrdinalIgnoreCase)
}

function Get-ParameterValue($Command, [int]$Index) {
  $parameter = $Command.CommandElements[$Index]
  if ($null -ne $parameter.Argument) { return $parameter.Argument }
  if ($Index + 1 -lt $Command.CommandElements.Count) { return $Command.CommandElements[$Index + 1] }
  $null
}

function Test-CommandName($Command, $Names) {
  $name = $Command.GetCommandName()
  $null -ne $name -and ($Names -eq '*' -or (Test-Name $name $Names))
}

function Find-Parameter($Parsed, $Match) {
  foreach ($command in $Parsed.Commands) {
    if (-not (Test-CommandName $command $Match.commands)) { continue }
    for ($i = 1; $i -lt $command.CommandElements.Count; $i++) {
      $element = $command.CommandElements[$i]
      if ($element -isnot [CommandParameterAst] -or -not (Test-ParameterName $element.ParameterName $Match)) { continue }
      if ($Match.PSObject.Properties['values']) {
        $value = Get-ParameterValue $command $i
        if ($value -isnot [StringConstantExpressionAst] -or -not (Test-Name $value.Value $Match.values)) { continue }
      }
      $element.Extent
    }
  }
}

# Where-Object Name -eq 1 / ForEach-Object Name: no script block, and a bare word or a parameter 2.0 lacks.
function Find-Simplified($Parsed, $Match) {
  foreach ($command in $Parsed.Commands) {
    if (-not (Test-CommandName $command $Match.commands)) { continue }
    $elements = @($command.CommandElements | Select-Object -Skip 1)
    if (@($elements | Where-Object { $_ -is [ScriptBlockExpressionAst] }).Count -gt 0) { continue }
    $newParameter = @($elements | Where-Object {
        $_ -is [CommandParameterAst] -and -not (Test-Name $_.ParameterName $Match.ps2Parameters)
      }).Count -gt 0
    $bareWord = @($elements | Where-Object { $_ -is [StringConstantExpressionAst] }).Count -gt 0
    if ($newParameter -or ($bareWord -and @($elements | Where-Object { $_ -is [CommandParameterAst] }).Count -eq 0)) {
      $command.Extent
    }
  }
}

function Find-Token($Parsed, $Match) {
  $pattern = if ($Match.PSObject.Properties['textPattern']) { [string]$Match.textPattern } else { $null }
  foreach ($token in $Parsed.Tokens) {
    if (-not (Test-Name ([string]$token.Kind) $Match.kinds)) { continue }
    if ($null -ne $pattern -and $token.Text -notmatch $pattern) { continue }
    $token.Extent
  }
}

function Find-Type($Parsed, $Match) {
  $nodes = @(Find-Ast $Parsed.Ast 'TypeExpressionAst') + @(Find-Ast $Parsed.Ast 'TypeConstraintAst') +
    @(Find-Ast $Parsed.Ast 'AttributeAst')
  foreach ($node in $nodes) {
    foreach ($name in @(Get-TypeNames $node.TypeName)) {
      if (Test-Name $name $Match.names) { $node.Extent; break }
    }
  }
}

function Test-MemberTarget($Node, $Match) {
  if ([bool]$Node.Static -ne [bool]$Match.static) { return $false }
  if (-not $Match.PSObject.Properties['types']) { return $true }
  $Node.Expression -is [TypeExpressionAst] -and (Test-Name $Node.Expression.TypeName.FullName $Match.types)
}

function Find-Member($Parsed, $Match) {
  foreach ($node in (Find-Ast $Parsed.Ast 'MemberExpressionAst')) {
    if ($node.Member -isnot [StringConstantExpressionAst] -or -not (Test-Name $node.Member.Value $Match.names)) { continue }
    if (-not (Test-MemberTarget $node $Match)) { continue }
    if ($Match.PSObject.Properties['minArguments']) {
      $count = if ($node -is [InvokeMemberExpressionAst] -and $node.Arguments) { $node.Arguments.Count } else { 0 }
      if ($count -lt [int]$Match.minArguments) { continue }
    }
    $node.Extent
  }
}

function Find-Variable($Parsed, $Match) {
  foreach ($node in (Find-Ast $Parsed.Ast 'VariableExpressionAst')) {
    $path = $node.VariablePath
    $name = $path.UserPath -replace '^(?:global|script|local|private):', ''
    if (-not $path.IsDriveQualified -and (Test-Name $name $Match.names)) { $node.Extent }
  }
}

function Find-ParseError($Parsed, $Match) {
  foreach ($parseError in $Parsed.Errors) {
    if (Test-Name $parseError.ErrorId $Match.errorIds) { $parseError.Extent }
  }
}

function Find-Redirection($Parsed, $Match) {
  foreach ($node in (Find-Ast $Parsed.Ast 'RedirectionAst')) {
    if (Test-Name ([string]$node.FromStream) $Match.streams) { $node.Extent }
  }
}

function Find-Shape($Parsed, [string]$Shape) {
  $ast = $Parsed.Ast
  switch ($Shape) {
    'class' { (Find-Ast $ast 'TypeDefinitionAst') | Where-Object { $_.IsClass } | ForEach-Object { $_.Extent } }
    'enum' { (Find-Ast $ast 'TypeDefinitionAst') | Where-Object { $_.IsEnum } | ForEach-Object { $_.Extent } }
    'using-statement' { (Find-Ast $ast 'UsingStatementAst') | ForEach-Object { $_.Extent } }
    'using-expression' { (Find-Ast $ast 'UsingExpressionAst') | ForEach-Object { $_.Extent } }
    'dynamic-method' {
      (Find-Ast $ast 'InvokeMemberExpressionAst') | Where-Object { $_.Member -isnot [StringConstantExpressionAst] } |
        ForEach-Object { $_.Extent }
    }
    'omitted-attribute-value' {
      (Find-Ast $ast 'NamedAttributeArgumentAst') | Where-Object { $_.ExpressionOmitted } | ForEach-Object { $_.Extent }
    }
    'background-pipeline' { (Find-Ast $ast 'PipelineAst') | Where-Object { $_.Background } | ForEach-Object { $_.Extent } }
    'requires-version' {
      $required = if ($ast.ScriptRequirements) { $ast.ScriptRequirements.RequiredPSVersion } else { $null }
      if ($null -ne $required -and $required.Major -ge 3) { $ast.Extent }
    }
    default { throw "check-ps2.ps1 does not know the AST shape '$Shape'" }
  }
}

function Find-Construct($Parsed, $Construct) {
  $match = $Construct.match
  switch ($match.by) {
    'command' { $Parsed.Commands | Where-Object { Test-CommandName $_ $match.names } | ForEach-Object { $_.Extent } }
    'parameter' { Find-Parameter $Parsed $match }
    'simplified' { Find-Simplified $Parsed $match }
    'token' { Find-Token $Parsed $match }
    'type' { Find-Type $Parsed $match }
    'member' { Find-Member $Parsed $match }
    'variable' { Find-Variable $Parsed $match }
    'parse-error' { Find-ParseError $Parsed $match }
    'redirection' { Find-Redirection $Parsed $match }
    'ast' { Find-Shape $Parsed $match.shape }
    default { throw "check-ps2.ps1 does not know the match '$($match.by)'" }
  }
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

function Test-File([string]$File, $List) {
  $tokens = $null
  $errors = $null
  $ast = [Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
  $parsed = @{ Ast = $ast; Tokens = $tokens; Errors = $errors; Commands = @(Find-Ast $ast 'CommandAst') }
  $lines = @{}
  foreach ($construct in $List) {
    foreach ($extent in @(Find-Construct $parsed $construct)) {
      $lines[$extent.StartLineNumber] = $true
      New-Finding $File $extent $construct.kind $construct.name $construct.since
    }
  }
  # PowerShell 7's parser rejects some older syntax (workflow, configuration): one finding per line is enough.
  foreach ($parseError in $errors) {
    if ($lines.ContainsKey($parseError.Extent.StartLineNumber)) { continue }
    New-Finding $File $parseError.Extent 'parse-error' $parseError.Message $null
  }
  if (-not (Test-StrictMode2 $ast)) {
    New-Finding $File $ast.Extent 'strict-mode' 'Set-StrictMode -Version 2 at the top level' $null
  }
}

$list = @(Get-Content -LiteralPath $Constructs -Raw | ConvertFrom-Json)
foreach ($file in $Path) {
  if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { throw "no such file: $file" }
  foreach ($finding in @(Test-File (Resolve-Path -LiteralPath $file).ProviderPath $list)) {
    $finding | ConvertTo-Json -Compress
  }
}
