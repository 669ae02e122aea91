import { setTimeout as delay } from 'node:timers/promises';
import type { PlanStep, StepArgs, StepDetails } from '@exrollout/core';
import { DriverError, StepFailedError } from '../../errors.js';
import type { HostDriver, HostSnapshot, StepContext } from '../types.js';
import { type StepRequest, validateStepArgs } from './args.js';
import { type ExrOutput, parseExrLine, parseExrOutput, unknownKeys } from './exr-format.js';
import {
  type DriverConfig,
  type PowerShellDriverOptions,
  resolveDriverConfig,
  type ScriptName,
} from './options.js';
import { INVENTORY_KEYS, toHostSnapshot } from './results/snapshot.js';
import { STEP_KEYS, stepOutcome } from './results/steps.js';
import type { RunResult } from './runner.js';
import { inventoryScript, stepScript } from './scripts/index.js';
import { stageForPowerShell } from './stage.js';

const MAX_PROGRESS = 500;

/** Drives an Exchange 2007 server with generated PowerShell 2.0 scripts through a local or remote runner. */
export class PowerShellDriver implements HostDriver {
  readonly kind = 'powershell' as const;
  readonly #config: DriverConfig;

  /** Checks the options once; throws DriverError AGENT_ERR_DRIVER_CONFIG. */
  constructor(options: PowerShellDriverOptions) {
    this.#config = resolveDriverConfig(options);
  }

  /** Runs the inventory script and returns the record and host facts it read. */
  async collect(signal: AbortSignal = new AbortController().signal): Promise<HostSnapshot> {
    const output = await this.#execute('inventory', inventoryScript(this.#config), signal);
    this.#reportUnknown('inventory', output, INVENTORY_KEYS);
    return toHostSnapshot(output);
  }

  /** Validates the arguments, runs the step's script and judges its output; see HostDriver.runStep. */
  async runStep<Step extends PlanStep>(
    step: Step,
    args: StepArgs[Step],
    context: StepContext,
  ): Promise<StepDetails> {
    const request = validateStepArgs(step, args);
    if (request.step === 'stage') return this.#stage(request.args, context);
    return this.#runScript(request, context);
  }

  // stage: a verified file is kept; else the agent downloads it (stageForPowerShell), then the host checks it.
  async #stage(args: StepArgs['stage'], context: StepContext): Promise<StepDetails> {
    const request = { step: 'stage', args } as const;
    try {
      await this.#runScript(request, context);
      return { staged: { bytes: args.size ?? 0, skipped: true, resumedFrom: 0 } };
    } catch (error) {
      const fetchable =
        error instanceof StepFailedError && /^PACKAGE_(MISSING|HASH_MISMATCH)$/.test(error.code);
      if (!fetchable || !args.fromStore) throw error;
    }
    const staged = await stageForPowerShell(args, this.#config, context);
    await this.#runScript(request, context);
    return staged;
  }

  async #runScript(request: StepRequest, context: StepContext): Promise<StepDetails> {
    const { step } = request;
    const script = stepScript(request, this.#config, context.commandId);
    context.progress(`${step}: running on ${this.#config.runner.target}`, 0);
    let output: ExrOutput;
    try {
      const progress = (message: string) => context.progress(message);
      // Locally the agent goes down with Windows; only a remote agent outlives the host and must ride it out.
      const remote = this.#config.runner.target.startsWith('remote:');
      output =
        request.step === 'restart' && remote
          ? await this.#untilBack(script, context.signal, progress)
          : await this.#execute(step, script, context.signal, progress);
    } catch (error) {
      if (error instanceof DriverError && error.code === 'AGENT_ERR_DRIVER_ABORTED')
        throw new StepFailedError(
          'STEP_CANCELLED',
          `${step} was cancelled and its PowerShell process stopped; anything it started (msiexec) may still run`,
          {},
          { cause: error },
        );
      throw error;
    }
    this.#reportUnknown(step, output, STEP_KEYS[request.step]);
    const details = stepOutcome(request, output);
    context.progress(`${step}: done`, 100);
    return details;
  }

  // Remote mode: the managed server goes down under its WinRM session and does not answer while it boots, so the
  // restart script runs again (it finds its marker) until the host answers or the restart's timeout is spent.
  async #untilBack(
    script: string,
    signal: AbortSignal,
    progress: (message: string) => void,
  ): Promise<ExrOutput> {
    const deadline = Date.now() + this.#config.timeoutsMs.restart;
    for (;;) {
      try {
        return await this.#execute('restart', script, signal, progress);
      } catch (error) {
        if (!isHostAway(error) || Date.now() + this.#config.restartPollMs > deadline) throw error;
        progress(`restart: ${this.#config.runner.target} does not answer (${error.message}); asking again`);
        await pause(this.#config.restartPollMs, signal);
      }
    }
  }

  async #execute(
    name: ScriptName,
    script: string,
    signal: AbortSignal,
    progress?: (message: string) => void,
  ): Promise<ExrOutput> {
    const onLine = progress && ((line: string) => forwardProgress(line, progress));
    const result = await this.#config.runner.run(script, {
      signal,
      timeoutMs: this.#config.timeoutsMs[name],
      ...(onLine ? { onLine } : {}),
    });
    return readOutput(name, result);
  }

  #reportUnknown(name: ScriptName, output: ExrOutput, known: ReadonlySet<string>): void {
    const unknown = unknownKeys(output, known);
    if (unknown.length > 0 || output.malformed.length > 0)
      this.#config.logger?.warn(
        { script: name, unknownKeys: unknown, malformed: output.malformed },
        'PowerShell script output has keys or lines the driver does not know',
      );
  }
}

// A cut session leaves no status line; a host still booting refuses the WinRM connection.
function isHostAway(error: unknown): error is DriverError {
  return (
    error instanceof DriverError &&
    (error.code === 'AGENT_ERR_DRIVER_REMOTE' || error.code === 'AGENT_ERR_DRIVER_OUTPUT')
  );
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    throw new DriverError('AGENT_ERR_DRIVER_ABORTED', 'the restart was cancelled while the host was down', {
      cause: error,
    });
  }
}

function forwardProgress(line: string, progress: (message: string) => void): void {
  const parsed = parseExrLine(line);
  if (parsed && parsed !== 'malformed' && parsed.key === 'progress')
    progress(parsed.value.slice(0, MAX_PROGRESS));
}

/** Parses a run's stdout; a remote transport failure and a missing status become DriverErrors. */
function readOutput(name: ScriptName, result: RunResult): ExrOutput {
  try {
    return parseExrOutput(result.stdout);
  } catch (error) {
    if (!(error instanceof DriverError)) throw error;
    // Invoke-Command failing to connect leaves no status line, only the wrapper's transport.error.
    const transport = transportError(result.stdout);
    if (transport !== undefined)
      throw new DriverError('AGENT_ERR_DRIVER_REMOTE', `Invoke-Command failed: ${transport}`, {
        cause: error,
      });
    const stderr = result.stderr.trim().slice(0, 1000);
    throw new DriverError(
      'AGENT_ERR_DRIVER_OUTPUT',
      `${name}: ${error.message} (exit code ${result.exitCode}${stderr ? `; stderr: ${stderr}` : ''})`,
      { cause: error },
    );
  }
}

function transportError(stdout: string): string | undefined {
  for (const line of stdout.split('\n')) {
    const parsed = parseExrLine(line);
    if (parsed && parsed !== 'malformed' && parsed.key === 'transport.error') return parsed.value;
  }
  return undefined;
}
