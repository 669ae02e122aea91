import { Command, CommanderError, Option } from 'commander';
import { registerAdmin } from './commands/admin.js';
import { registerDemo } from './commands/demo.js';
import { registerPackages } from './commands/packages.js';
import { planCommand } from './commands/plan.js';
import { registerProcesses } from './commands/processes.js';
import { registerRollouts } from './commands/rollouts.js';
import { registerServers } from './commands/servers.js';
import type { CliContext } from './context.js';
import { list } from './options.js';

/** Builds the `exrollout` command tree, writing to the context's streams; `json` makes usage errors JSON too. */
export function buildProgram(context: CliContext, json = false): Command {
  const { out } = context;
  const program = new Command('exrollout')
    .description('Staged rollouts of Exchange Server 2007 update rollups (KB959241: SP1 Update Rollup 6).')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.stdout.write(text),
      writeErr: (text) => out.stderr.write(text),
      outputError: (text, write) => write(usageError(text, json)),
    })
    .showHelpAfterError(json ? false : '(run with --help for usage)')
    .enablePositionalOptions();

  program
    .command('plan')
    .description(
      'Read an inventory file and print the rollout plan: waves, servers, steps, and who is left out and why.',
    )
    .requiredOption('-i, --inventory <file>', 'inventory JSON file: { "servers": [ ... ] }')
    .option('-u, --update <id>', 'update to plan', 'KB959241')
    .option('--json', 'print exactly the plan object as JSON')
    .addOption(
      new Option(
        '--servers <names>',
        'only these servers (comma-separated; clusters are taken whole)',
      ).argParser(list),
    )
    .addOption(
      new Option(
        '--sites <sites>',
        'only servers in these Active Directory sites (comma-separated)',
      ).argParser(list),
    )
    .addOption(
      new Option('--roles <roles>', 'only servers with one of these roles (comma-separated)').argParser(list),
    )
    .action(async (options) => planCommand(options, out));

  registerDemo(program, context);
  registerServers(program, context);
  registerRollouts(program, context);
  registerAdmin(program, context);
  registerPackages(program, context);
  registerProcesses(program, context);
  return program;
}

// Commander's usage errors read like every other error of the CLI (docs/cli.md, "Errors").
function usageError(text: string, json: boolean): string {
  const message = text.trim().replace(/^error: /, '');
  if (json) return `${JSON.stringify({ error: { code: 'CLI_ERR_USAGE', message } })}\n`;
  return `exrollout: ${message}\n`;
}

/** True for commander's own exits: help, version, and usage errors (already printed). */
export function isCommanderExit(error: unknown): error is CommanderError {
  return error instanceof CommanderError;
}
