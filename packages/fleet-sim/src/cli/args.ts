import { Command, CommanderError } from 'commander';
import { FleetError } from '../errors.js';
import { compileFleetSimConfig, type FleetSimConfig, type FleetSimFlags } from './config.js';

/** The streams the command writes to; tests pass their own. */
export interface Output {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** What parsing gave: a configuration to run with, or an exit code (help, version, misuse). */
export type ParsedArgs = { readonly config: Readonly<FleetSimConfig> } | { readonly exitCode: number };

/** Parses and checks `exrollout-fleet-sim` arguments (without node and the script); prints help and errors. */
export function parseFleetSimArgs(args: readonly string[], out: Output): ParsedArgs {
  const program = buildProgram(out);
  try {
    program.parse([...args], { from: 'user' });
    return { config: compileFleetSimConfig(program.opts<FleetSimFlags>()) };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? 0 : 2 };
    if (error instanceof FleetError && error.code === 'FLEET_ERR_USAGE') {
      out.stderr.write(`exrollout-fleet-sim: ${error.message}\n(run with --help for usage)\n`);
      return { exitCode: 2 };
    }
    throw error;
  }
}

function buildProgram(out: Output): Command {
  return new Command('exrollout-fleet-sim')
    .description(
      'Runs many simulated exrollout agents in one process, from a scenario file or a generated fleet.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.stdout.write(text),
      writeErr: (text) => out.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false)
    .option(
      '--server <url>',
      'server URL, e.g. http://127.0.0.1:8443; repeat it (or separate URLs with commas) to spread the agents over several',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',')],
    )
    .option(
      '--scenario <file>',
      'scenario JSON: an inventory, with optional per-server "host" and "behaviour"',
    )
    .option('--generate <count>', 'synthesise a realistic fleet of this many servers instead')
    .option('--seed <seed>', 'with --generate: the same seed gives the same fleet (default 1)')
    .option(
      '--failure-rate <rate>',
      'with --generate: share of servers given a failure mode, 0 to 1 (default 0)',
    )
    .option(
      '--enrol-token <token>',
      'enrolment token with enough uses for every agent without a stored credential',
    )
    .option('--state-dir <dir>', 'keep credentials here and reuse them next time (default: in memory)')
    .option('--concurrency <n>', 'most enrolments and connection attempts at once (default 200)')
    .option('--connect-timeout <seconds>', 'how long to wait for every agent to connect (default 300)')
    .option('--duration <seconds>', 'stop by itself after this long (default: run until SIGINT or SIGTERM)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--print-scenario', 'print the scenario as JSON and exit, connecting nothing')
    .option(
      '--log-level <level>',
      'agent logs on stderr: fatal, error, warn, info, debug, trace, silent (default warn)',
    );
}
