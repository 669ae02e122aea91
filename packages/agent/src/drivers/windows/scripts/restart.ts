import { KB959241, type StepArgs } from '@exrollout/core';
import { psLiteral } from '../literal.js';
import type { DriverConfig } from '../options.js';
import { composeScript } from './prelude.js';

// shutdown.exe /c takes at most 127 characters on Windows Server 2003.
const MAX_COMMENT = 120;

/** The marker file's name for one command: a re-run of the same command after the boot finds it. */
export function restartMarkerName(commandId: string): string {
  return `restart-${commandId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150)}.txt`;
}

/**
 * restart: writes the boot time into a marker file of its command, asks Windows for a restart
 * (`shutdown.exe /r /t 30 /d p:2:17 /c <reason>`) and waits for the host to go down. The agent goes down with
 * it (locally) or loses its WinRM session (remotely); the same command run again after the boot finds the marker
 * and a later boot time, and reports `restart.bootedAt`; the marker stays, so that the command run yet again does not
 * restart the server a second time. Windows still up after the wait is RESTART_FAILED (and the marker goes, so
 * that running the step again asks again).
 */
export function restartScript(args: StepArgs['restart'], config: DriverConfig, commandId: string): string {
  const comment = `exrollout ${KB959241.id}: ${args.reason}`.slice(0, MAX_COMMENT);
  const body = String.raw`$folder = ${psLiteral(config.stateDirectory)}
$marker = Join-ExrPath $folder ${psLiteral(restartMarkerName(commandId))}
Write-Exr 'build' (Get-ExrBuild (Get-ExrExSetupPath (Get-ExrInstallPath)))
$boot = Get-ExrLastBootTime
Write-Exr 'restart.bootTime' $boot
if (Test-Path -LiteralPath $marker) {
  $asked = [string](@(Read-ExrLines $marker) | Select-Object -First 1)
  if ($asked -ne $boot) {
    Complete-ExrRestart $marker $boot
    return
  }
  Write-Exr 'progress' ('a restart was asked for while Windows was up since ' + $asked + '; waiting for it to go down')
} else {
  New-ExrDirectory $folder
  Write-ExrLines $marker @($boot)
  Write-Exr 'progress' ('shutdown.exe /r /t 30: ' + ${psLiteral(comment)})
  $run = Invoke-ExrRestart ${psLiteral(comment)}
  foreach ($line in @($run.Lines)) { Write-Exr 'restart.output' $line }
  if ($run.ExitCode -ne 0) {
    Remove-Item -LiteralPath $marker -Force
    Stop-Exr 'RESTART_FAILED' ('shutdown.exe /r exited with ' + $run.ExitCode + ': ' + [string]::Join(' ', @($run.Lines)) + '; Windows was not restarted')
  }
  Write-Exr 'restart.requested' $true
}
$deadline = (Get-Date).AddSeconds(${config.restartWaitSeconds})
while ((Get-Date) -lt $deadline) {
  $now = Get-ExrLastBootTime
  if ($now -ne $boot) {
    Complete-ExrRestart $marker $now
    return
  }
  Start-Sleep -Seconds 2
}
Remove-Item -LiteralPath $marker -Force
Stop-Exr 'RESTART_FAILED' ('Windows did not go down within ${config.restartWaitSeconds} s of shutdown.exe /r (cancelled with shutdown /a, or a process holding the shutdown?); run the step again to ask again')`;
  return composeScript({
    defaultCode: 'RESTART_FAILED',
    productCode: KB959241.productCode,
    helpers: [COMPLETE],
    body,
  });
}

const COMPLETE = String.raw`function Complete-ExrRestart([string]$Marker, [string]$BootedAt) {
  Write-Exr 'restart.bootedAt' $BootedAt
  Write-Exr 'progress' ('Windows booted again at ' + $BootedAt)
}`;
