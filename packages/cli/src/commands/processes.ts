import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { ProcessNotFoundError } from '../errors.js';

const require = createRequire(import.meta.url);

/** Registers `exrollout server ...` and `exrollout agent ...`, which start those processes with the rest of the arguments. */
export function registerProcesses(program: Command, context: CliContext): void {
  passThrough(
    program,
    'server',
    'Run exrollout-server with these arguments (start, token create, ...).',
    context,
    () => binOf('@exrollout/server', 'exrollout-server.mjs'),
  );
  passThrough(program, 'agent', 'Run exrollout-agent with these arguments (enrol, run, ...).', context, () =>
    binOf('@exrollout/agent', 'exrollout-agent.mjs'),
  );
}

function passThrough(
  program: Command,
  name: string,
  description: string,
  context: CliContext,
  script: () => string,
) {
  program
    .command(name)
    .description(description)
    .argument('[args...]', 'passed on unchanged')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .action(async (args: string[]) => {
      context.exitCode = await runNode(script(), args);
    });
}

/** The path of a package's bin script, found from its entry point (its package.json is not exported). */
export function binOf(pkg: string, bin: string): string {
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (error) {
    throw new ProcessNotFoundError(pkg, error);
  }
  return join(dirname(dirname(entry)), 'bin', bin);
}

/** Runs `node script args...` with inherited stdio; resolves with its exit code (128 + signal when killed). */
export function runNode(script: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  // The child gets Ctrl-C from the terminal itself; the parent waits for it to finish shutting down.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
