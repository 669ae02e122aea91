import { computerNameProblem } from '@exrollout/core';
import { DEFAULT_STATE_DIR } from '../client/credentials.js';
import { ClientError } from '../client/errors.js';
import { normalizeServerUrl } from '../client/url.js';
import { isWindowsPath } from '../drivers/windows/literal.js';
import { UsageError } from './exit.js';

/** The pino levels the agent accepts for --log-level. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Which host driver to run, with the settings it needs. */
export type DriverChoice =
  | { readonly kind: 'simulated'; readonly simFile: string }
  | ({ readonly kind: 'powershell'; readonly mode: 'local' } & HooksChoice)
  | ({ readonly kind: 'powershell'; readonly mode: 'remote'; readonly target: string } & HooksChoice);

/** The folder of the administrator's hook scripts, on the server where the scripts run (`--hooks-dir`). */
export interface HooksChoice {
  readonly hooksDirectory?: string;
}

/** The agent's configuration, checked once and frozen. */
export interface AgentConfig {
  /** Server URL; required to enrol, otherwise taken from the state directory unless given. */
  readonly serverUrl?: string;
  /** One-time enrolment token: enrol (again) before running. */
  readonly enrolToken?: string;
  /** NetBIOS name to enrol as; when not enrolling, it must match the stored one if given. */
  readonly name?: string;
  readonly driver: DriverChoice;
  /** Where the credential is kept. @default ./exrollout-agent-state */
  readonly stateDir: string;
  /** @default info */
  readonly logLevel: LogLevel;
}

/** The flags as the parser hands them over, before the rules between them are checked. */
export interface AgentFlags {
  readonly server?: string;
  readonly enrol?: string;
  readonly name?: string;
  readonly driver?: string;
  readonly simFile?: string;
  readonly mode?: string;
  readonly target?: string;
  readonly hooksDir?: string;
  readonly stateDir?: string;
  readonly logLevel?: string;
}

const HOST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

/** Checks the flags against each other and returns the frozen configuration; throws UsageError. */
export function compileAgentConfig(flags: AgentFlags): Readonly<AgentConfig> {
  const serverUrl = flags.server === undefined ? undefined : checkServerUrl(flags.server);
  if (flags.enrol !== undefined) {
    if (flags.enrol.trim() === '') throw new UsageError('--enrol needs a token');
    if (serverUrl === undefined) throw new UsageError('--enrol needs --server URL: the server to enrol with');
    if (flags.name === undefined)
      throw new UsageError('--enrol needs --name NAME: the NetBIOS name to enrol as');
  }
  const nameProblem = flags.name === undefined ? undefined : computerNameProblem(flags.name);
  if (nameProblem) throw new UsageError(`--name ${JSON.stringify(flags.name)} ${nameProblem}`);
  return Object.freeze({
    ...(serverUrl === undefined ? {} : { serverUrl }),
    ...(flags.enrol === undefined ? {} : { enrolToken: flags.enrol.trim() }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    driver: Object.freeze(driverChoice(flags)),
    stateDir: flags.stateDir ?? DEFAULT_STATE_DIR,
    logLevel: logLevel(flags.logLevel),
  });
}

function driverChoice(flags: AgentFlags): DriverChoice {
  if (flags.driver === 'simulated') {
    if (flags.hooksDir !== undefined) throw new UsageError('--hooks-dir applies to --driver powershell only');
    if (flags.mode !== undefined || flags.target !== undefined)
      throw new UsageError('--mode and --target apply to --driver powershell only');
    if (flags.simFile === undefined)
      throw new UsageError('--driver simulated needs --sim-file FILE: the simulated host description');
    return { kind: 'simulated', simFile: flags.simFile };
  }
  if (flags.driver === 'powershell') {
    if (flags.simFile !== undefined) throw new UsageError('--sim-file applies to --driver simulated only');
    const choice = powershellChoice(flags.mode ?? 'local', flags.target);
    if (flags.hooksDir === undefined) return choice;
    if (!isWindowsPath(flags.hooksDir))
      throw new UsageError(
        `--hooks-dir must be an absolute Windows path on the Exchange server, such as C:\\exrollout\\hooks (got ${JSON.stringify(flags.hooksDir)})`,
      );
    return { ...choice, hooksDirectory: flags.hooksDir };
  }
  throw new UsageError(
    flags.driver === undefined
      ? '--driver is required: powershell or simulated'
      : `--driver must be powershell or simulated (got ${JSON.stringify(flags.driver)})`,
  );
}

function powershellChoice(
  mode: string,
  target: string | undefined,
): Extract<DriverChoice, { kind: 'powershell' }> {
  if (mode === 'local') {
    if (target !== undefined) throw new UsageError('--target applies to --mode remote only');
    return { kind: 'powershell', mode: 'local' };
  }
  if (mode !== 'remote') throw new UsageError(`--mode must be local or remote (got ${JSON.stringify(mode)})`);
  if (target === undefined)
    throw new UsageError('--mode remote needs --target NAME: the Exchange server to manage over WinRM');
  if (!HOST_PATTERN.test(target))
    throw new UsageError(
      `--target ${JSON.stringify(target)} must be a host name such as SEA-MBX01 or an FQDN`,
    );
  return { kind: 'powershell', mode: 'remote', target };
}

function checkServerUrl(input: string): string {
  try {
    return normalizeServerUrl(input);
  } catch (error) {
    if (error instanceof ClientError) throw new UsageError(`--server: ${error.message}`, { cause: error });
    throw error;
  }
}

function logLevel(input: string | undefined): LogLevel {
  const level = LOG_LEVELS.find((known) => known === (input ?? 'info'));
  if (level === undefined)
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(input)})`,
    );
  return level;
}
