import { normalizeServerUrl } from '@exrollout/agent';
import { FleetError } from '../errors.js';
import { MAX_GENERATED } from '../generate.js';

/** The pino levels accepted by --log-level. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where the fleet comes from: a scenario file, or a generated fleet. */
export type ScenarioSource =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'generate';
      readonly count: number;
      readonly seed: number;
      readonly failureRate: number;
    };

/** The fleet simulator's configuration, checked once and frozen. */
export interface FleetSimConfig {
  readonly source: ScenarioSource;
  /** Print the scenario as JSON and exit, without connecting anything. */
  readonly printScenario: boolean;
  /** Required unless printScenario: one URL or several, the agents spread over them in turn. */
  readonly serverUrls?: readonly string[];
  readonly enrolToken?: string;
  readonly stateDir?: string;
  /** @default 200 */
  readonly concurrency: number;
  /** @default 300000 */
  readonly connectTimeoutMs: number;
  /** Stop by itself after this long; runs until SIGINT or SIGTERM otherwise. */
  readonly durationMs?: number;
  readonly json: boolean;
  /** @default warn */
  readonly logLevel: LogLevel;
}

/** The flags as the parser hands them over. */
export interface FleetSimFlags {
  readonly server?: readonly string[];
  readonly scenario?: string;
  readonly generate?: string;
  readonly seed?: string;
  readonly failureRate?: string;
  readonly enrolToken?: string;
  readonly stateDir?: string;
  readonly concurrency?: string;
  readonly connectTimeout?: string;
  readonly duration?: string;
  readonly json?: boolean;
  readonly printScenario?: boolean;
  readonly logLevel?: string;
}

const usage = (message: string) => new FleetError('FLEET_ERR_USAGE', message);

/** Checks the flags against each other and returns the frozen configuration; throws FleetError (usage). */
export function compileFleetSimConfig(flags: FleetSimFlags): Readonly<FleetSimConfig> {
  const printScenario = flags.printScenario === true;
  if (!printScenario && flags.server === undefined) throw usage('--server URL is required');
  const connectSeconds = number('--connect-timeout', flags.connectTimeout ?? '300', 0.1, 86_400);
  const durationSeconds =
    flags.duration === undefined ? undefined : number('--duration', flags.duration, 0.1, 31_536_000);
  return Object.freeze({
    source: Object.freeze(scenarioSource(flags)),
    printScenario,
    ...(flags.server === undefined
      ? {}
      : { serverUrls: Object.freeze(flags.server.map((url) => serverUrl(url.trim()))) }),
    ...(flags.enrolToken === undefined ? {} : { enrolToken: flags.enrolToken }),
    ...(flags.stateDir === undefined ? {} : { stateDir: flags.stateDir }),
    concurrency: integer('--concurrency', flags.concurrency ?? '200', 1, 10_000),
    connectTimeoutMs: Math.round(connectSeconds * 1000),
    ...(durationSeconds === undefined ? {} : { durationMs: Math.round(durationSeconds * 1000) }),
    json: flags.json === true,
    logLevel: logLevel(flags.logLevel),
  });
}

function scenarioSource(flags: FleetSimFlags): ScenarioSource {
  if ((flags.scenario === undefined) === (flags.generate === undefined))
    throw usage('give exactly one of --scenario FILE and --generate N');
  if (flags.scenario !== undefined) {
    if (flags.seed !== undefined || flags.failureRate !== undefined)
      throw usage('--seed and --failure-rate apply to --generate only');
    return { kind: 'file', path: flags.scenario };
  }
  return {
    kind: 'generate',
    count: integer('--generate', flags.generate ?? '', 1, MAX_GENERATED),
    seed: integer('--seed', flags.seed ?? '1', 0, 4_294_967_295),
    failureRate: number('--failure-rate', flags.failureRate ?? '0', 0, 1),
  };
}

function serverUrl(input: string): string {
  try {
    return normalizeServerUrl(input);
  } catch (error) {
    throw usage(`--server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max)
    throw usage(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
  return value;
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
    throw usage(`${flag} must be a number from ${min} to ${max} (got ${JSON.stringify(text)})`);
  return value;
}

function logLevel(input: string | undefined): LogLevel {
  const level = LOG_LEVELS.find((known) => known === (input ?? 'warn'));
  if (level === undefined)
    throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(input)})`);
  return level;
}
