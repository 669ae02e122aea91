import { readFile } from 'node:fs/promises';
import type { AgentLogger } from '../client/logger.js';
import { SimulatedDriver } from '../drivers/simulated/driver.js';
import { parseSimulatedHost } from '../drivers/simulated/parse.js';
import type { HostDriver } from '../drivers/types.js';
import {
  createPowerShellRunner,
  type DriverLogger,
  PowerShellDriver,
  type PowerShellDriverOptions,
  type PowerShellRunner,
} from '../drivers/windows/index.js';
import { DriverError } from '../errors.js';
import type { DriverChoice, HooksChoice } from './config.js';
import { UsageError } from './exit.js';

/** Builds the host driver the flags chose, for the agent enrolled as `name`. */
export async function createDriver(
  choice: DriverChoice,
  name: string,
  logger: AgentLogger,
): Promise<HostDriver> {
  if (choice.kind === 'simulated') return createSimulatedDriver(choice.simFile, name);
  return asUsage(() => {
    const runner = createPowerShellRunner(choice);
    return new PowerShellDriver(
      powershellDriverOptions(runner, logger.child({ component: 'powershell-driver' }), choice),
    );
  });
}

/**
 * The PowerShell driver's options as the agent's flags give them (the hooks folder; the others keep their defaults); the
 * `scripts` command resolves the very same, so that it writes what the driver would run.
 */
export function powershellDriverOptions(
  runner: PowerShellRunner,
  logger?: DriverLogger,
  choice: HooksChoice = {},
): PowerShellDriverOptions {
  return {
    runner,
    ...(logger === undefined ? {} : { logger }),
    ...(choice.hooksDirectory === undefined ? {} : { hooksDirectory: choice.hooksDirectory }),
  };
}

/** Reads a simulated host description and builds its driver; the description must name the enrolled server. */
export async function createSimulatedDriver(file: string, name: string): Promise<SimulatedDriver> {
  const value = await readJsonFile(file);
  const driver = asUsage(() => new SimulatedDriver(parseSimulatedHost(value, file), { source: file }));
  if (driver.name.toLowerCase() !== name.toLowerCase())
    throw new UsageError(`${file} describes ${driver.name}, but this agent is enrolled as ${name}`);
  return driver;
}

// A driver that refuses its configuration (a bad host file, a bad WinRM target) is a usage error: exit code 2.
function asUsage<Driver>(build: () => Driver): Driver {
  try {
    return build();
  } catch (error) {
    if (error instanceof DriverError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** Reads a JSON file (a BOM is allowed); a missing, unreadable or invalid file is a UsageError. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot read ${file}: ${why}`, { cause: error });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
}
