import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PlanStep, STEP_NAMES } from '@exrollout/core';
import { validateStepArgs } from '../drivers/windows/args.js';
import { type DriverConfig, resolveDriverConfig, type ScriptName } from '../drivers/windows/options.js';
import type { PowerShellRunner } from '../drivers/windows/runner.js';
import { inventoryScript, stepScript } from '../drivers/windows/scripts/index.js';
import { AgentError, StepFailedError } from '../errors.js';
import type { Output } from './args.js';
import { powershellDriverOptions, readJsonFile } from './drivers.js';
import { EXIT, exitCodeFor, UsageError } from './exit.js';
import { SAMPLE_STEP_ARGS, sampleCommandId } from './sample-args.js';

/** What `exrollout-agent scripts` was asked to write. */
export interface ScriptsConfig {
  /** The folder the scripts are written to; created if missing. */
  readonly outDir: string;
  /** Only this script; every one if absent. */
  readonly only?: ScriptName;
  /** A JSON file with the arguments of `only` (a step), in place of the sample ones. */
  readonly argsFile?: string;
}

/** One script the PowerShell driver can run, under the file name `scripts` gives it. */
export interface ScriptFile {
  readonly name: ScriptName;
  readonly file: string;
  readonly text: string;
}

/** The folder of a script could not be created or a file not written (exit code 1). */
export class ScriptsWriteError extends AgentError {
  readonly code = 'AGENT_ERR_SCRIPTS_WRITE';
}

/** Every script the driver can run (inventory, then one per PlanStep), exactly as it would hand them to its runner. */
export function driverScripts(
  config: DriverConfig,
  args: { readonly [Step in PlanStep]?: unknown } = SAMPLE_STEP_ARGS,
): ScriptFile[] {
  const steps = STEP_NAMES.flatMap((step, index) => {
    if (!Object.hasOwn(args, step)) return [];
    const text = stepScript(validateStepArgs(step, args[step]), config, sampleCommandId(step, index));
    return [{ name: step, file: `${step}.ps1`, text }];
  });
  return [{ name: 'inventory', file: 'inventory.ps1', text: inventoryScript(config) }, ...steps];
}

// The scripts command generates and never runs: its driver configuration gets a runner that refuses to.
const NO_RUNNER: PowerShellRunner = {
  target: 'none',
  run: () => Promise.reject(new Error('exrollout-agent scripts runs no script')),
};

/** Writes the scripts `config` asks for and lists their paths on stdout; returns the exit code. */
export async function runScriptsCommand(config: Readonly<ScriptsConfig>, out: Output): Promise<number> {
  try {
    const driverConfig = resolveDriverConfig(powershellDriverOptions(NO_RUNNER));
    const scripts = await selectScripts(config, driverConfig);
    await writeScripts(config.outDir, scripts, out);
    return EXIT.OK;
  } catch (error) {
    out.stderr.write(`exrollout-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeFor(error);
  }
}

async function selectScripts(
  config: Readonly<ScriptsConfig>,
  driverConfig: DriverConfig,
): Promise<ScriptFile[]> {
  const { only, argsFile } = config;
  if (only === undefined) return driverScripts(driverConfig);
  if (only === 'inventory') return driverScripts(driverConfig, {}).slice(0, 1);
  const args = argsFile === undefined ? SAMPLE_STEP_ARGS[only] : await readStepArgs(only, argsFile);
  return driverScripts(driverConfig, { [only]: args }).slice(1);
}

// Checked as a server's COMMAND is, by the driver's own validation: the step's schema, no control characters.
async function readStepArgs(step: PlanStep, file: string): Promise<unknown> {
  const args = await readJsonFile(file);
  try {
    return validateStepArgs(step, args).args;
  } catch (error) {
    if (error instanceof StepFailedError) throw new UsageError(`${file}: ${error.message}`, { cause: error });
    throw error;
  }
}

async function writeScripts(dir: string, scripts: readonly ScriptFile[], out: Output): Promise<void> {
  for (const script of scripts) {
    const path = join(dir, script.file);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(path, script.text, 'utf8');
    } catch (error) {
      throw new ScriptsWriteError(`cannot write ${path}: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
    out.stdout.write(`${path}\n`);
  }
}
