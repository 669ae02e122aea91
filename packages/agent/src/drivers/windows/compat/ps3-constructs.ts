import { command, entry, member, operator, type, variable } from './build.js';
import type { Ps3Construct } from './types.js';

// The one list of what PowerShell 2.0 (Windows Management Framework 2.0, KB 968930, the newest PowerShell an
// Exchange 2007 SP1 server may run) lacks; check-ps2.ps1 gets it as JSON (constructsJson). Versions marked
// "docs" were checked against Microsoft Learn (about_* topics, cmdlet pages) or the PowerShell team's own
// repositories; "memory" ones were not found there and come from experience. Entries exist in Windows
// PowerShell 3.0-5.1, or in PowerShell 6+ on Windows: never Linux-only commands.
// Not statically detectable, so not listed: member enumeration (`$services.Name` on a collection, 3.0) and
// `.Count`/`.Length` on a scalar (3.0), which both give $null in 2.0 and throw under Set-StrictMode -Version 2.
// The tables are kept one construct per line, wider than the formatter's width: they read as tables.

const CLR4 = 'a .NET 4 API: PowerShell 2.0 runs on CLR 2 (.NET 2.0-3.5), 3.0 is the first on .NET 4';
const WS2012 = 'a Windows Server 2012 module: not on Windows Server 2003/2008 with any WMF';
const parameter = entry('parameter');
const syntax = entry('syntax');

const GCI = ['Get-ChildItem', 'gci', 'dir', 'ls'];
const GC = ['Get-Content', 'gc', 'cat', 'type'];
// biome-ignore format: a table
const COMMON_2 = ['Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'ErrorVariable', 'WarningVariable', 'OutVariable', 'OutBuffer', 'ea', 'wa', 'ev', 'wv', 'ov', 'ob', 'vb', 'db'];

// biome-ignore format: a table
const COMMANDS: readonly Ps3Construct[] = [
  command('3.0', ['ConvertTo-Json'], 'docs: "This cmdlet was introduced in PowerShell 3.0"'),
  command('3.0', ['ConvertFrom-Json'], 'docs: "This cmdlet was introduced in PowerShell 3.0"'),
  command('3.0', ['Invoke-WebRequest', 'iwr'], 'memory; the scripts never download: the agent stages packages'),
  command('3.0', ['Invoke-RestMethod', 'irm'], 'memory'),
  command('3.0', ['Get-CimInstance', 'Get-CimClass', 'Get-CimAssociatedInstance', 'Invoke-CimMethod', 'New-CimInstance', 'Remove-CimInstance', 'Set-CimInstance', 'New-CimSession', 'Get-CimSession', 'Remove-CimSession', 'New-CimSessionOption', 'Register-CimIndicationEvent', 'gcim', 'icim'], 'memory: the CimCmdlets module came with 3.0; use Get-WmiObject', 'CIM cmdlets (Get-CimInstance, ...)'),
  command('3.0', ['Unblock-File'], 'memory'),
  command('3.0', ['Rename-Computer'], 'memory'),
  command('3.0', ['Get-TypeData', 'Remove-TypeData'], 'memory', 'Get-TypeData, Remove-TypeData'),
  command('3.0', ['Update-Help', 'Save-Help'], 'memory: updatable help came with 3.0', 'Update-Help, Save-Help'),
  command('3.0', ['Show-Command'], 'memory'),
  command('3.0', ['Resume-Job', 'Suspend-Job'], 'memory: workflow jobs', 'Resume-Job, Suspend-Job'),
  command('3.0', ['Connect-PSSession', 'Disconnect-PSSession', 'Receive-PSSession'], 'memory: disconnected sessions came with 3.0', 'Connect-/Disconnect-/Receive-PSSession'),
  command('3.0', ['New-PSSessionConfigurationFile', 'Test-PSSessionConfigurationFile', 'New-PSTransportOption'], 'memory', 'New-PSSessionConfigurationFile, ...'),
  command('3.0', ['Register-ScheduledJob', 'Get-ScheduledJob', 'New-JobTrigger'], 'memory: the PSScheduledJob module', 'PSScheduledJob cmdlets (Register-ScheduledJob, ...)'),
  command('3.0', ['Get-ControlPanelItem', 'Show-ControlPanelItem'], 'memory', 'Get-/Show-ControlPanelItem'),
  command('3.0', ['Get-ScheduledTask', 'Register-ScheduledTask', 'Start-ScheduledTask'], `memory: ${WS2012} (ScheduledTasks); use schtasks.exe`, 'ScheduledTasks cmdlets (Get-ScheduledTask, ...)'),
  command('3.0', ['Get-Volume', 'Get-Disk', 'Get-Partition'], `memory: ${WS2012} (Storage); use Win32_LogicalDisk`, 'Storage cmdlets (Get-Volume, ...)'),
  command('3.0', ['Get-NetAdapter', 'Get-NetIPAddress', 'Get-NetIPConfiguration'], `memory: ${WS2012} (NetAdapter, NetTCPIP)`, 'network cmdlets (Get-NetAdapter, ...)'),
  command('3.0', ['Resolve-DnsName'], `memory: ${WS2012} (DnsClient); use [System.Net.Dns]`),
  command('3.0', ['Get-SmbShare', 'New-SmbShare'], `memory: ${WS2012} (SmbShare)`, 'Get-SmbShare, New-SmbShare'),
  command('4.0', ['Get-FileHash'], 'memory (its first Microsoft help page is the 4.0 edition); the scripts hash with .NET SHA256'),
  command('4.0', ['Test-NetConnection', 'tnc'], 'memory: Windows Server 2012 R2 (NetTCPIP)'),
  command('5.0', ['New-TemporaryFile'], 'memory'),
  command('5.0', ['Expand-Archive', 'Compress-Archive'], 'docs: the Microsoft.PowerShell.Archive module "applies to Windows PowerShell 5.0"', 'Expand-Archive, Compress-Archive'),
  command('5.0', ['Get-ItemPropertyValue', 'gpv'], 'memory; use (Get-ItemProperty -LiteralPath $key).Name'),
  command('5.0', ['Get-Clipboard', 'Set-Clipboard'], 'memory', 'Get-Clipboard, Set-Clipboard'),
  command('5.0', ['Format-Hex', 'fhx'], 'memory'),
  command('5.0', ['ConvertFrom-String', 'Convert-String'], 'memory', 'ConvertFrom-String, Convert-String'),
  command('5.0', ['New-Guid'], 'memory; use [System.Guid]::NewGuid()'),
  command('5.0', ['Write-Information'], 'docs: the information stream came with 5.0 (about_Output_Streams)'),
  command('5.0', ['Clear-RecycleBin'], 'memory'),
  command('5.0', ['Get-Runspace', 'Debug-Runspace', 'Enter-PSHostProcess'], 'memory', 'Get-Runspace, Debug-Runspace, Enter-PSHostProcess'),
  command('5.0', ['Install-Module', 'Find-Module', 'Install-Package', 'Get-Package'], 'memory: PowerShellGet and PackageManagement', 'PowerShellGet/PackageManagement cmdlets'),
  command('5.1', ['Get-ComputerInfo', 'gin'], 'memory'),
  command('5.1', ['Get-TimeZone', 'Set-TimeZone'], 'memory', 'Get-TimeZone, Set-TimeZone'),
  command('5.1', ['Get-LocalUser', 'Get-LocalGroup', 'Get-LocalGroupMember'], 'memory: Microsoft.PowerShell.LocalAccounts', 'LocalAccounts cmdlets (Get-LocalUser, ...)'),
  command('6.0', ['Get-Uptime'], 'memory'),
  command('6.0', ['Remove-Service'], 'memory; use sc.exe delete'),
  command('6.1', ['Test-Json'], 'memory'),
  command('6.1', ['Start-ThreadJob'], 'memory: the ThreadJob module'),
  command('6.2', ['Join-String'], 'memory'),
  command('7.0', ['Get-Error'], 'memory'),
];

// biome-ignore format: a table
const PARAMETERS: readonly Ps3Construct[] = [
  parameter({ name: 'Get-Content -Raw', since: '3.0', why: 'memory; use [System.IO.File]::ReadAllText', match: { by: 'parameter', commands: GC, names: ['Raw'], minPrefix: 2 }, sample: 'Get-Content -Raw x' }),
  parameter({ name: 'Get-Content -Tail', since: '3.0', why: 'docs: "Beginning in PowerShell 3.0, Get-Content can also get a specified number of lines from the ... end"', match: { by: 'parameter', commands: GC, names: ['Tail', 'Last'], minPrefix: 2 }, sample: 'Get-Content -Tail 5 x' }),
  parameter({ name: 'Get-ChildItem -File', since: '3.0', why: 'memory; filter on PSIsContainer', match: { by: 'parameter', commands: GCI, names: ['File', 'af'] }, sample: 'Get-ChildItem -File' }),
  parameter({ name: 'Get-ChildItem -Directory', since: '3.0', why: 'memory; filter on PSIsContainer', match: { by: 'parameter', commands: GCI, names: ['Directory', 'ad', 'd'], minPrefix: 2 }, sample: 'Get-ChildItem -Directory' }),
  parameter({ name: 'Get-ChildItem -Attributes/-Hidden/-ReadOnly/-System', since: '3.0', why: 'memory', match: { by: 'parameter', commands: GCI, names: ['Attributes', 'Hidden', 'ReadOnly', 'System', 'ah', 'ar', 'as', 'h'] }, sample: 'Get-ChildItem -Hidden' }),
  parameter({ name: 'Get-ChildItem -Depth', since: '5.0', why: 'memory', match: { by: 'parameter', commands: GCI, names: ['Depth'], minPrefix: 3 }, sample: 'Get-ChildItem -Depth 2' }),
  parameter({ name: '-ErrorAction Ignore', since: '3.0', why: 'docs (about_CommonParameters); use SilentlyContinue', match: { by: 'parameter', commands: '*', names: ['ErrorAction', 'ea'], minPrefix: 6, values: ['Ignore'] }, sample: 'Get-Item x -ErrorAction Ignore' }),
  parameter({ name: '-WarningAction Ignore', since: '3.0', why: 'docs (about_CommonParameters); use SilentlyContinue', match: { by: 'parameter', commands: '*', names: ['WarningAction', 'wa'], minPrefix: 8, values: ['Ignore'] }, sample: 'Get-Item x -WarningAction Ignore' }),
  parameter({ name: '-InformationAction/-InformationVariable', since: '5.0', why: 'docs: common parameters of the information stream, which came with 5.0 (about_Output_Streams)', match: { by: 'parameter', commands: '*', names: ['InformationAction', 'InformationVariable', 'infa', 'iv'], minPrefix: 7 }, sample: 'Get-Item x -InformationAction Continue' }),
  parameter({ name: '-PipelineVariable', since: '4.0', why: 'memory', match: { by: 'parameter', commands: '*', names: ['PipelineVariable', 'pv'], minPrefix: 3 }, sample: 'Get-Item x -PipelineVariable p' }),
  parameter({ name: 'Write-Output -NoEnumerate', since: '4.0', why: 'memory; wrap the value in a one-element array', match: { by: 'parameter', commands: ['Write-Output', 'echo', 'write'], names: ['NoEnumerate'], minPrefix: 1 }, sample: 'Write-Output -NoEnumerate $x' }),
  parameter({ name: 'Export-Csv -Append', since: '3.0', why: 'memory', match: { by: 'parameter', commands: ['Export-Csv', 'epcsv'], names: ['Append'], minPrefix: 1 }, sample: 'Export-Csv -Append x' }),
  parameter({ name: '-NoNewline', since: '5.0', why: 'memory (Out-File, Set-Content, Add-Content)', match: { by: 'parameter', commands: ['Out-File', 'Set-Content', 'Add-Content', 'sc', 'ac'], names: ['NoNewline'], minPrefix: 3 }, sample: 'Set-Content -NoNewline x y' }),
  parameter({ name: 'Select-Object -SkipLast', since: '5.0', why: 'memory', match: { by: 'parameter', commands: ['Select-Object', 'select'], names: ['SkipLast'], minPrefix: 5 }, sample: 'Select-Object -SkipLast 1' }),
  parameter({ name: 'New-Item -ItemType SymbolicLink/Junction/HardLink', since: '5.0', why: 'memory; use cmd.exe mklink', match: { by: 'parameter', commands: ['New-Item', 'ni'], names: ['ItemType', 'Type'], values: ['SymbolicLink', 'Junction', 'HardLink'] }, sample: 'New-Item x -ItemType SymbolicLink' }),
  parameter({ name: 'Split-Path -LeafBase/-Extension', since: '6.0', why: 'memory; use [System.IO.Path]', match: { by: 'parameter', commands: ['Split-Path'], names: ['LeafBase', 'Extension'], minPrefix: 5 }, sample: 'Split-Path -LeafBase x' }),
  parameter({ name: 'Join-Path -AdditionalChildPath', since: '6.0', why: 'memory; nest Join-Path', match: { by: 'parameter', commands: ['Join-Path'], names: ['AdditionalChildPath'], minPrefix: 1 }, sample: 'Join-Path a b -AdditionalChildPath c' }),
  parameter({ name: 'ForEach-Object -Parallel', since: '7.0', why: "docs (What's New in PowerShell 7.0)", match: { by: 'parameter', commands: ['ForEach-Object', 'foreach', '%'], names: ['Parallel'], minPrefix: 2 }, sample: '$x | ForEach-Object -Parallel { 1 }' }),
  parameter({ name: 'Where-Object simplified syntax', since: '3.0', why: 'docs (Where-Object: "Starting in Windows PowerShell 3.0"); write Where-Object { $_.Name -eq ... }', match: { by: 'simplified', commands: ['Where-Object', 'where', '?'], ps2Parameters: ['FilterScript', 'InputObject', ...COMMON_2] }, sample: '$x | Where-Object Name -eq 1' }),
  parameter({ name: 'ForEach-Object simplified syntax', since: '3.0', why: 'docs (ForEach-Object: "Starting in Windows PowerShell 3.0"); write ForEach-Object { $_.Name }', match: { by: 'simplified', commands: ['ForEach-Object', 'foreach', '%'], ps2Parameters: ['Process', 'Begin', 'End', 'InputObject', ...COMMON_2] }, sample: '$x | ForEach-Object Name' }),
];

// biome-ignore format: a table
const OPERATORS: readonly Ps3Construct[] = [
  operator('3.0', '-in/-notin', ['Iin', 'Cin', 'Inotin', 'Cnotin'], 'docs (about_Comparison_Operators: the 3.0 page lists them, the 2.0 page does not); use -contains', '1 -in $x'),
  operator('3.0', '-shl/-shr', ['Shl', 'Shr'], 'docs: "Beginning in PowerShell 3.0, the -shr ... and -shl ... are added" (about_Arithmetic_Operators)', '1 -shl 2'),
  operator('7.0', '?? and ??=', ['QuestionQuestion', 'QuestionQuestionEquals'], 'docs (about_Operators)', '$x = $a ?? 1'),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: PowerShell's ${name}, not a template.
  operator('7.0', '?. and ?[]', ['QuestionDot', 'QuestionLBracket'], 'docs (about_Operators); experimental in 7.0, from memory', '${a}?.b'),
  operator('7.0', 'ternary ? :', ['QuestionMark'], 'docs (about_Operators)', '$x = $a ? 1 : 2'),
  operator('7.0', '&& and ||', ['AndAnd', 'OrOr'], 'docs: "Beginning in PowerShell 7" (about_Pipeline_Chain_Operators)', 'a && b'),
];

// biome-ignore format: a table
const TYPES: readonly Ps3Construct[] = [
  type('3.0', '[ordered]', ['ordered'], 'memory; use New-Object System.Collections.Specialized.OrderedDictionary', '$x = [ordered]@{}'),
  type('3.0', '[pscustomobject]', ['pscustomobject'], 'memory: in 2.0 the cast gives the hashtable back; use New-Object PSObject -Property', '$x = [pscustomobject]@{ a = 1 }'),
  type('3.0', 'CIM type accelerators', ['ciminstance', 'cimclass', 'cimtype', 'cimconverter', 'CimSession'], 'memory: with the CimCmdlets module', '[ciminstance]$x = $null'),
  type('3.0', '[NullString]', ['NullString', 'System.Management.Automation.Language.NullString'], 'memory', '$x = [NullString]::Value'),
  type('3.0', '.NET 4 types (Tuple, Lazy, Task, BigInteger, concurrent collections)', ['Tuple', 'System.Tuple', 'Lazy', 'System.Lazy', 'System.Threading.Tasks.Task', 'Threading.Tasks.Task', 'bigint', 'System.Numerics.BigInteger', 'Numerics.BigInteger', 'System.Collections.Concurrent.ConcurrentDictionary', 'System.Collections.Concurrent.ConcurrentQueue', 'System.Collections.Concurrent.BlockingCollection'], CLR4, '$x = [System.Tuple]::Create(1, 2)'),
  type('3.0', '.NET 4.5 types (ZipFile, ZipArchive, HttpClient)', ['System.IO.Compression.ZipFile', 'IO.Compression.ZipFile', 'System.IO.Compression.ZipArchive', 'System.Net.Http.HttpClient', 'Net.Http.HttpClient'], CLR4, '[System.IO.Compression.ZipFile]::ExtractToDirectory($a, $b)'),
  type('5.0', '[ArgumentCompleter()]', ['ArgumentCompleter', 'System.Management.Automation.ArgumentCompleterAttribute'], 'memory', 'function f { param([ArgumentCompleter({ 1 })]$a) }'),
  type('6.0', '[semver]', ['semver', 'System.Management.Automation.SemanticVersion'], 'memory', '$x = [semver]"1.0.0"'),
];

// biome-ignore format: a table
const MEMBERS: readonly Ps3Construct[] = [
  member('4.0', '.ForEach() / .Where()', { names: ['ForEach', 'Where'], static: false }, 'docs (PowerShell-Docs issue 2307: "introduced in the context of DSC in v4"); also flags List[T].ForEach, which 2.0 has', '$x.ForEach({ $_ })'),
  member('5.0', '::new()', { names: ['new'], static: true }, 'docs (about_Classes, 5.0); use New-Object', '$x = [System.Text.StringBuilder]::new()'),
  member('3.0', '$MyInvocation.PSScriptRoot / .PSCommandPath', { names: ['PSScriptRoot', 'PSCommandPath'], static: false }, 'memory: InvocationInfo gained them with the variables; use Split-Path $MyInvocation.MyCommand.Path', '$MyInvocation.PSScriptRoot'),
  member('3.0', '[Environment]::Is64BitOperatingSystem / Is64BitProcess', { names: ['Is64BitOperatingSystem', 'Is64BitProcess'], static: true, types: ['Environment', 'System.Environment'] }, `${CLR4}; read PROCESSOR_ARCHITEW6432 and PROCESSOR_ARCHITECTURE`, '[Environment]::Is64BitOperatingSystem'),
  member('3.0', '[string]::IsNullOrWhiteSpace', { names: ['IsNullOrWhiteSpace'], static: true, types: ['string', 'System.String'] }, CLR4, '[string]::IsNullOrWhiteSpace($x)'),
  member('3.0', '[version]::Parse / TryParse', { names: ['Parse', 'TryParse'], static: true, types: ['version', 'System.Version'] }, `${CLR4}; use New-Object System.Version`, '[version]::Parse($x)'),
  member('3.0', '[guid]::Parse / TryParse, [enum]::TryParse', { names: ['Parse', 'TryParse'], static: true, types: ['guid', 'System.Guid', 'enum', 'System.Enum'] }, CLR4, '[guid]::Parse($x)'),
  member('3.0', '[IO.File]::ReadLines / AppendAllLines, [IO.Directory]::Enumerate*', { names: ['ReadLines', 'AppendAllLines', 'EnumerateFiles', 'EnumerateDirectories', 'EnumerateFileSystemEntries'], static: true, types: ['System.IO.File', 'IO.File', 'System.IO.Directory', 'IO.Directory'] }, `${CLR4}; use ReadAllLines, GetFiles`, '[System.IO.File]::ReadLines($x)'),
  member('3.0', '[IO.Path]::Combine with more than two parts', { names: ['Combine'], static: true, types: ['System.IO.Path', 'IO.Path'], minArguments: 3 }, `${CLR4} overload; nest Combine or Join-Path`, "[System.IO.Path]::Combine('a', 'b', 'c')"),
  member('3.0', '.HasFlag()', { names: ['HasFlag'], static: false }, `${CLR4} (Enum.HasFlag); use -band`, '$x.HasFlag($y)'),
  entry('member')({ name: 'dynamic method call $x.$name()', since: '4.0', why: "PSScriptAnalyzer's UseCompatibleSyntax rule flags it for 3.0", match: { by: 'ast', shape: 'dynamic-method' }, sample: '$x.$name()' }),
];

// biome-ignore format: a table
const VARIABLES: readonly Ps3Construct[] = [
  variable('3.0', ['PSItem'], 'memory (about_Automatic_Variables); use $_'),
  variable('3.0', ['PSScriptRoot', 'PSCommandPath'], 'docs: "In Windows PowerShell 2.0, this variable is valid only in script modules"; the scripts run from stdin anyway'),
  variable('3.0', ['PSDefaultParameterValues', 'PSModuleAutoloadingPreference'], 'memory (about_Preference_Variables)'),
  variable('5.0', ['InformationPreference'], 'docs: the information stream came with 5.0 (about_Output_Streams)'),
  variable('5.1', ['PSEdition'], 'memory'),
  variable('6.0', ['IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR'], 'memory'),
  variable('6.2', ['EnabledExperimentalFeatures'], 'memory'),
  variable('7.2', ['PSStyle'], 'memory'),
  variable('7.3', ['PSNativeCommandArgumentPassing', 'PSNativeCommandUseErrorActionPreference'], 'memory'),
];

// biome-ignore format: a table
const SYNTAX: readonly Ps3Construct[] = [
  syntax({ name: 'class', since: '5.0', why: 'docs (about_Classes)', match: { by: 'ast', shape: 'class' }, sample: 'class A { }' }),
  syntax({ name: 'enum', since: '5.0', why: 'docs (about_Enum, with classes)', match: { by: 'ast', shape: 'enum' }, sample: 'enum E { a }' }),
  syntax({ name: 'using namespace/module', since: '5.0', why: "docs (about_Using); PSScriptAnalyzer flags it for 3.0 and 4.0", match: { by: 'ast', shape: 'using-statement' }, sample: 'using namespace System.Text' }),
  syntax({ name: '$using:', since: '3.0', why: 'docs: "Beginning in PowerShell 3.0, you can use the Using: scope modifier" (about_Remote_Variables); pass -ArgumentList', match: { by: 'ast', shape: 'using-expression' }, sample: 'Invoke-Command -ScriptBlock { $using:x }' }),
  syntax({ name: 'workflow', since: '3.0', why: 'docs (New V3 Language Features, PowerShell team blog)', match: { by: 'token', kinds: ['Workflow'] }, sample: 'workflow W { }' }),
  syntax({ name: 'foreach -parallel', since: '3.0', why: 'memory: workflows only', match: { by: 'parse-error', errorIds: ['KeywordParameterReservedForFutureUse'] }, sample: 'foreach -parallel ($a in $b) { }' }),
  syntax({ name: 'configuration (DSC)', since: '4.0', why: 'memory: Desired State Configuration came with 4.0', match: { by: 'token', kinds: ['Configuration'] }, sample: 'configuration C { }' }),
  syntax({ name: 'redirection of the warning, verbose, debug or all streams (3>, 4>, 5>, *>)', since: '3.0', why: 'docs: the streams exist in 2.0 (about_Output_Streams), but only 1> and 2> redirect before 3.0 (about_Redirection)', match: { by: 'redirection', streams: ['Warning', 'Verbose', 'Debug', 'All'] }, sample: 'a 3>&1' }),
  syntax({ name: 'redirection of the information stream (6>)', since: '5.0', why: 'docs (about_Output_Streams: stream 6, PowerShell 5.0)', match: { by: 'redirection', streams: ['Information'] }, sample: 'a 6>&1' }),
  syntax({ name: 'attribute argument without a value ([Parameter(Mandatory)])', since: '3.0', why: 'memory; write Mandatory = $true', match: { by: 'ast', shape: 'omitted-attribute-value' }, sample: 'function f { param([Parameter(Mandatory)]$a) }' }),
  syntax({ name: '#requires -Version 3 or later', since: '3.0', why: 'the script itself asks for a newer PowerShell', match: { by: 'ast', shape: 'requires-version' }, sample: '#requires -Version 3.0' }),
  syntax({ name: 'background operator (pipeline &)', since: '6.0', why: 'memory', match: { by: 'ast', shape: 'background-pipeline' }, sample: 'a &' }),
  syntax({ name: 'clean block', since: '7.3', why: 'memory', match: { by: 'token', kinds: ['Clean'] }, sample: 'function f { clean { } }' }),
  syntax({ name: '"`u{...}" escape', since: '6.0', why: 'memory; use [char]0x...', match: { by: 'token', kinds: ['StringExpandable', 'HereStringExpandable'], textPattern: '`u\\{' }, sample: '$x = "`u{2013}"' }),
  syntax({ name: 'numeric suffixes (1uy, 1s, 1n ...) and 0b literals', since: '6.2', why: 'memory', match: { by: 'token', kinds: ['Number'], textPattern: '^(?:0b[01]+|[0-9a-fx]+(?:u|y|uy|s|us|ul|n))$' }, sample: '$x = 0b101' }),
];

/** Every construct PowerShell 2.0 lacks that the checker refuses, each with the version that introduced it. */
export const PS3_CONSTRUCTS: readonly Ps3Construct[] = Object.freeze([
  ...COMMANDS,
  ...PARAMETERS,
  ...OPERATORS,
  ...TYPES,
  ...MEMBERS,
  ...VARIABLES,
  ...SYNTAX,
]);

/** The list as check-ps2.ps1 reads it (`-Constructs <file>`): JSON, without the samples. */
export function constructsJson(constructs: readonly Ps3Construct[] = PS3_CONSTRUCTS): string {
  return JSON.stringify(constructs.map(({ sample: _sample, ...rest }) => rest));
}
