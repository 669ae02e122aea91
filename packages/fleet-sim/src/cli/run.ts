import { readFile } from 'node:fs/promises';
import type { AgentLogger } from '@exrollout/agent';
import { FleetError } from '../errors.js';
import { type FleetProgress, startFleet } from '../fleet.js';
import { generateFleet } from '../generate.js';
import { parseScenario, type Scenario } from '../scenario.js';
import { formatSummary, summarise } from '../summary.js';
import type { Output } from './args.js';
import type { FleetSimConfig, ScenarioSource } from './config.js';

/** The signals the simulator stops on. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What a run needs from its process; main.ts passes the real ones. */
export interface FleetSimDeps {
  readonly logger: AgentLogger;
  readonly out: Output;
  readonly signals: {
    once(signal: (typeof STOP_SIGNALS)[number], listener: () => void): unknown;
    off(signal: (typeof STOP_SIGNALS)[number], listener: () => void): unknown;
  };
}

/** Runs the simulator: load or generate, enrol, connect, summarise, then run until stopped. Returns the exit code. */
export async function runFleetSim(config: Readonly<FleetSimConfig>, deps: FleetSimDeps): Promise<number> {
  try {
    const scenario = await loadScenario(config.source);
    if (config.printScenario || config.serverUrls === undefined) {
      deps.out.stdout.write(`${JSON.stringify(scenario, null, 2)}\n`);
      return 0;
    }
    return await simulate(scenario, config.serverUrls, config, deps);
  } catch (error) {
    const known = error instanceof FleetError;
    const message = error instanceof Error ? error.message : String(error);
    deps.out.stderr.write(
      `exrollout-fleet-sim: ${known || !(error instanceof Error) ? message : error.stack}\n`,
    );
    return known && (error.code === 'FLEET_ERR_SCENARIO_INVALID' || error.code === 'FLEET_ERR_INPUT') ? 2 : 1;
  }
}

async function simulate(
  scenario: Scenario,
  serverUrls: readonly string[],
  config: Readonly<FleetSimConfig>,
  deps: FleetSimDeps,
): Promise<number> {
  const startedAt = Date.now();
  const fleet = await startFleet({
    serverUrl: serverUrls,
    scenario,
    logger: deps.logger,
    concurrency: config.concurrency,
    onProgress: progressPrinter(deps.out),
    ...(config.enrolToken === undefined ? {} : { enrolToken: config.enrolToken }),
    ...(config.stateDir === undefined ? {} : { stateDir: config.stateDir }),
  });
  const stopped = untilStopped(config, deps);
  let exitCode = 0;
  await fleet.waitConnected(config.connectTimeoutMs).catch((error: unknown) => {
    exitCode = 1;
    deps.out.stderr.write(`exrollout-fleet-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  });
  const summary = summarise(fleet, startedAt);
  deps.out.stdout.write(
    config.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`,
  );
  await stopped;
  deps.out.stderr.write(`stopping ${fleet.agents.length} agents\n`);
  await fleet.stop();
  return exitCode;
}

function untilStopped(config: Readonly<FleetSimConfig>, deps: FleetSimDeps): Promise<void> {
  return new Promise((resolve) => {
    const timer = config.durationMs === undefined ? undefined : setTimeout(done, config.durationMs);
    function done() {
      clearTimeout(timer);
      for (const signal of STOP_SIGNALS) deps.signals.off(signal, done);
      resolve();
    }
    for (const signal of STOP_SIGNALS) deps.signals.once(signal, done);
  });
}

async function loadScenario(source: ScenarioSource): Promise<Scenario> {
  if (source.kind === 'generate') return generateFleet(source);
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    const why = (error as { code?: unknown }).code === 'ENOENT' ? 'no such file' : String(error);
    throw new FleetError('FLEET_ERR_INPUT', `cannot read ${source.path}: ${why}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new FleetError('FLEET_ERR_INPUT', `${source.path} is not valid JSON: ${String(error)}`, {
      cause: error,
    });
  }
  return parseScenario(value, source.path);
}

// At most one line a second per phase, plus the last, so that 10,000 agents do not flood the terminal.
function progressPrinter(out: Output): (progress: FleetProgress) => void {
  let lastAt = 0;
  let lastPhase = '';
  return ({ phase, done, total }) => {
    const now = Date.now();
    if (phase === lastPhase && done < total && now - lastAt < 1000) return;
    lastAt = now;
    lastPhase = phase;
    const label = phase === 'enrol' ? 'credentials' : 'connection attempts';
    out.stderr.write(`${label}: ${done}/${total}\n`);
  };
}
