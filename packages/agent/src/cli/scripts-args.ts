import { STEP_NAMES } from '@exrollout/core';
import { Command, CommanderError } from 'commander';
import type { ScriptName } from '../drivers/windows/options.js';
import type { Output } from './args.js';
import { EXIT, UsageError } from './exit.js';
import type { ScriptsConfig } from './scripts.js';

/** The name of the subcommand that writes the PowerShell driver's scripts. */
export const SCRIPTS_COMMAND = 'scripts';

const SCRIPT_NAMES: readonly ScriptName[] = ['inventory', ...STEP_NAMES];

interface ScriptsFlags {
  readonly out?: string;
  readonly step?: string;
  readonly args?: string;
}

/** Parses `exrollout-agent scripts ...` (the words after `scripts`): a configuration, or an exit code. */
export function parseScriptsArgs(
  args: readonly string[],
  out: Output,
): { readonly scripts: Readonly<ScriptsConfig> } | { readonly exitCode: number } {
  const program = buildProgram(out);
  try {
    program.parse([...args], { from: 'user' });
    return { scripts: compileScriptsConfig(program.opts<ScriptsFlags>()) };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? EXIT.OK : EXIT.USAGE };
    if (error instanceof UsageError) {
      out.stderr.write(`exrollout-agent scripts: ${error.message}\n(run with --help for usage)\n`);
      return { exitCode: EXIT.USAGE };
    }
    throw error;
  }
}

/** Checks the flags against each other; throws UsageError. */
export function compileScriptsConfig(flags: ScriptsFlags): Readonly<ScriptsConfig> {
  if (flags.out === undefined || flags.out.trim() === '')
    throw new UsageError('--out DIR is required: the folder to write the scripts to');
  const only = flags.step === undefined ? undefined : scriptName(flags.step);
  if (flags.args !== undefined && (only === undefined || only === 'inventory'))
    throw new UsageError('--args FILE needs --step STEP: the step whose arguments the file holds');
  return Object.freeze({
    outDir: flags.out,
    ...(only === undefined ? {} : { only }),
    ...(flags.args === undefined ? {} : { argsFile: flags.args }),
  });
}

function scriptName(input: string): ScriptName {
  const name = SCRIPT_NAMES.find((known) => known === input);
  if (name === undefined)
    throw new UsageError(`--step must be one of ${SCRIPT_NAMES.join(', ')} (got ${JSON.stringify(input)})`);
  return name;
}

function buildProgram(out: Output): Command {
  return new Command(`exrollout-agent ${SCRIPTS_COMMAND}`)
    .description(
      'Writes every script the PowerShell driver can run, exactly as it would run them: inventory.ps1 and one ' +
        '<step>.ps1 per step, with sample arguments (KB 959241, SP1 RU4 to RU6, x64, a CCR node) or, for one ' +
        'step, the arguments of a JSON file. Nothing is run.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.stdout.write(text),
      writeErr: (text) => out.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false)
    .option(
      '--out <dir>',
      'folder to write the scripts to (created if missing; files of the same name are replaced)',
    )
    .option('--step <step>', `only this script: ${SCRIPT_NAMES.join(', ')}`)
    .option('--args <file>', "with --step: a JSON file of the step's arguments, checked against its schema");
}
