import type { PlanStep } from '@exrollout/core';
import { DriverError } from '../../errors.js';
import { isWindowsPath } from './literal.js';
import type { PowerShellRunner } from './runner.js';

/** Where the agent may write what it learns about its scripts' output (unknown keys, malformed lines). */
export interface DriverLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What a script is run for: the inventory, or one step of the catalog. */
export type ScriptName = PlanStep | 'inventory';

/** Options of the PowerShell driver; paths are on the Exchange server, where the scripts run. */
export interface PowerShellDriverOptions {
  readonly runner: PowerShellRunner;
  /** Folder holding the staged .msp files. @default C:\exrollout\packages */
  readonly packageDirectory?: string;
  /** Folder the OWA backups are written to. @default C:\exrollout\owa-backup */
  readonly backupDirectory?: string;
  /** Folder for verbose MSI logs. @default %SystemDrive%\ExchangeSetupLogs */
  readonly logDirectory?: string;
  /** Folder of the administrator's hook scripts (`<name>.ps1`), on the server. @default C:\exrollout\hooks */
  readonly hooksDirectory?: string;
  /** Folder for what a step must find again after a restart (the restart's marker). @default C:\exrollout\state */
  readonly stateDirectory?: string;
  /** How long the restart script waits for Windows to go down after shutdown.exe /r. @default 600 */
  readonly restartWaitSeconds?: number;
  /** Remote mode: how often a restart asks the managed server again while it is down. @default 15000 */
  readonly restartPollMs?: number;
  /** A manifest (`<sha256> <relative path>` per line) of the shipped OWA files of the installed build. */
  readonly owaManifest?: string;
  /** Per-script timeouts in milliseconds, over the defaults in DEFAULT_TIMEOUTS_MS. */
  readonly timeoutsMs?: Partial<Record<ScriptName, number>>;
  readonly logger?: DriverLogger;
}

/** The options once checked and defaulted. */
export interface DriverConfig {
  readonly runner: PowerShellRunner;
  readonly packageDirectory: string;
  readonly backupDirectory: string;
  readonly logDirectory?: string;
  readonly hooksDirectory: string;
  readonly stateDirectory: string;
  readonly restartWaitSeconds: number;
  readonly restartPollMs: number;
  readonly owaManifest?: string;
  readonly timeoutsMs: Readonly<Record<ScriptName, number>>;
  readonly logger?: DriverLogger;
}

const MINUTE = 60_000;

/** Default timeouts: an install can take well over an hour (KB 944752 made some last 40-60 minutes more). */
export const DEFAULT_TIMEOUTS_MS: Readonly<Record<ScriptName, number>> = Object.freeze({
  inventory: 10 * MINUTE,
  // A 500 MB package over a 10 Mbit/s link takes about 7 minutes; a slow site may take far longer.
  stage: 120 * MINUTE,
  precheck: 15 * MINUTE,
  'backup-owa': 30 * MINUTE,
  'move-cms': 30 * MINUTE,
  'move-cluster-group': 15 * MINUTE,
  'remove-interim-updates': 60 * MINUTE,
  install: 120 * MINUTE,
  // The whole restart, with the host down, in remote mode; the server's restartTimeoutSeconds bounds it too.
  restart: 30 * MINUTE,
  verify: 30 * MINUTE,
  'restore-owa': 30 * MINUTE,
  uninstall: 120 * MINUTE,
});

/** Checks the options once (paths, timeouts) and returns a frozen config; throws AGENT_ERR_DRIVER_CONFIG. */
export function resolveDriverConfig(options: PowerShellDriverOptions): DriverConfig {
  const path = (name: string, value: string | undefined, fallback?: string) => {
    const chosen = value ?? fallback;
    if (chosen !== undefined && !isWindowsPath(chosen))
      throw new DriverError(
        'AGENT_ERR_DRIVER_CONFIG',
        `${name} must be an absolute Windows path (got ${chosen})`,
      );
    return chosen;
  };
  const timeoutsMs = { ...DEFAULT_TIMEOUTS_MS, ...options.timeoutsMs };
  for (const [name, ms] of Object.entries(timeoutsMs))
    if (!Number.isInteger(ms) || ms <= 0)
      throw new DriverError('AGENT_ERR_DRIVER_CONFIG', `timeout for ${name} must be a positive integer`);
  const logDirectory = path('logDirectory', options.logDirectory);
  const restartWaitSeconds = options.restartWaitSeconds ?? 600;
  const restartPollMs = options.restartPollMs ?? 15_000;
  if (!Number.isInteger(restartWaitSeconds) || restartWaitSeconds <= 0)
    throw new DriverError('AGENT_ERR_DRIVER_CONFIG', 'restartWaitSeconds must be a positive integer');
  if (!Number.isInteger(restartPollMs) || restartPollMs <= 0)
    throw new DriverError('AGENT_ERR_DRIVER_CONFIG', 'restartPollMs must be a positive integer');
  const owaManifest = path('owaManifest', options.owaManifest);
  return Object.freeze({
    runner: options.runner,
    packageDirectory: path('packageDirectory', options.packageDirectory, 'C:\\exrollout\\packages') ?? '',
    backupDirectory: path('backupDirectory', options.backupDirectory, 'C:\\exrollout\\owa-backup') ?? '',
    hooksDirectory: path('hooksDirectory', options.hooksDirectory, 'C:\\exrollout\\hooks') ?? '',
    stateDirectory: path('stateDirectory', options.stateDirectory, 'C:\\exrollout\\state') ?? '',
    restartWaitSeconds,
    restartPollMs,
    ...(logDirectory === undefined ? {} : { logDirectory }),
    ...(owaManifest === undefined ? {} : { owaManifest }),
    timeoutsMs: Object.freeze(timeoutsMs),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
