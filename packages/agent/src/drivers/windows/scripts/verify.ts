import { KB959241, type StepArgs } from '@exrollout/core';
import { psBool } from '../literal.js';
import { composeScript } from './prelude.js';

// KB 944752: with generatePublisherEvidence disabled, the CLR stops checking the CRL of Authenticode
// signatures at start-up, which otherwise pushes managed services past the 30 s service start timeout.
const SERVICES = `function Get-ExrExchangeServices {
  @(Get-WmiObject -Class Win32_Service -Filter "(Name LIKE 'MSExchange%' OR Name = 'ADAM_MSExchange') AND StartMode='Auto'")
}
function Get-ExrStoppedServices {
  @(Get-ExrExchangeServices | Where-Object { $_.State -ne 'Running' })
}
function Start-ExrServices($Services) {
  foreach ($service in $Services) {
    try { Start-Service -Name $service.Name }
    catch { Write-Exr 'service.startError' ([string]$service.Name + ': ' + $_.Exception.Message) }
  }
}
function Get-ExrServiceExe([string]$PathName) {
  if ($PathName.StartsWith('"')) { return $PathName.Substring(1, $PathName.IndexOf('"', 1) - 1) }
  $end = $PathName.ToLower().IndexOf('.exe')
  if ($end -lt 0) { return $PathName }
  $PathName.Substring(0, $end + 4)
}
function Set-ExrPublisherEvidence([string]$Exe) {
  $config = $Exe + '.config'
  $xml = New-Object System.Xml.XmlDocument
  if (Test-Path -LiteralPath $config) {
    $xml.Load((ConvertTo-ExrNativePath $config))
    $saved = $config + '.exrollout-bak'
    if (-not (Test-Path -LiteralPath $saved)) { Copy-Item -LiteralPath $config -Destination $saved }
  } else {
    $xml.LoadXml('<?xml version="1.0" encoding="utf-8"?><configuration></configuration>')
  }
  $runtime = $xml.DocumentElement.SelectSingleNode('runtime')
  if ($null -eq $runtime) { $runtime = $xml.DocumentElement.AppendChild($xml.CreateElement('runtime')) }
  $evidence = $runtime.SelectSingleNode('generatePublisherEvidence')
  if ($null -eq $evidence) { $evidence = $runtime.AppendChild($xml.CreateElement('generatePublisherEvidence')) }
  if ($evidence.GetAttribute('enabled') -eq 'false') { return }
  $evidence.SetAttribute('enabled', 'false')
  $xml.Save((ConvertTo-ExrNativePath $config))
  $config
}`;

/**
 * verify: reports the ExSetup.exe build, starts automatic MSExchange* services that are not running, and
 * (when asked) applies the KB 944752 remedy to every Exchange service's .exe.config and starts them again.
 * Fails with SERVICES_NOT_STARTED listing the services still stopped; the parser checks the build.
 */
export function verifyScript(args: StepArgs['verify']): string {
  const body = `Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))
$stopped = @(Get-ExrStoppedServices)
foreach ($service in $stopped) { Write-Exr 'service.initiallyStopped' $service.Name }
if ($stopped.Count -gt 0) {
  Write-Exr 'progress' ('Starting ' + $stopped.Count + ' stopped Exchange service(s)')
  Start-ExrServices $stopped
  $stopped = @(Get-ExrStoppedServices)
}
$why = ''
if ($stopped.Count -gt 0 -and ${psBool(args.remedyKb944752)}) {
  if ([int](Get-ExrRegistryValue 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v2.0.50727' 'SP') -lt 1) {
    $why = '; the KB 944752 remedy was not applied: generatePublisherEvidence is read from .NET Framework 2.0 SP1 on, and this server has no .NET Framework 2.0 SP1: install it, then verify again'
    Write-Exr 'remedy.skipped' '.NET Framework 2.0 SP1 is not installed'
  } else {
    Write-Exr 'progress' 'Applying the KB 944752 remedy: generatePublisherEvidence enabled="false"'
    foreach ($service in @(Get-ExrExchangeServices | Where-Object { $_.Name -like 'MSExchange*' })) {
      foreach ($config in @(Set-ExrPublisherEvidence (Get-ExrServiceExe ([string]$service.PathName)))) { Write-Exr 'remedy.config' $config }
    }
    Start-ExrServices $stopped
    $stopped = @(Get-ExrStoppedServices)
  }
}
foreach ($service in $stopped) { Write-Exr 'service.stopped' $service.Name }
if ($stopped.Count -gt 0) {
  Stop-Exr 'SERVICES_NOT_STARTED' ([string]$stopped.Count + ' automatic Exchange service(s) are not running: ' + [string]::Join(', ', @($stopped | ForEach-Object { [string]$_.Name })) + $why)
}`;
  return composeScript({
    defaultCode: 'SERVICES_NOT_STARTED',
    productCode: KB959241.productCode,
    helpers: [SERVICES],
    body,
  });
}
