import { Command, CommanderError } from 'commander';
import { DEFAULT_STATE_DIR } from '../client/credentials.js';
import { AGENT_VERSION } from '../client/version.js';
import { type AgentConfig, type AgentFlags, compileAgentConfig } from './config.js';
import { EXIT, UsageError } from './exit.js';
import type { ScriptsConfig } from './scripts.js';
import { parseScriptsArgs, SCRIPTS_COMMAND } from './scripts-args.js';

/** The streams the command writes to; tests pass their own. */
export interface Output {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * What parsing the command line gave: a configuration to run the agent with, the `scripts` command's, or an
 * exit code (help, version, misuse).
 */
export type ParsedArgs =
  | { readonly config: Readonly<AgentConfig> }
  | { readonly scripts: Readonly<ScriptsConfig> }
  | { readonly exitCode: number };

/** Parses and checks `exrollout-agent` arguments (without node and the script); prints help and errors. */
export function parseAgentArgs(args: readonly string[], out: Output): ParsedArgs {
  if (args[0] === SCRIPTS_COMMAND) return parseScriptsArgs(args.slice(1), out);
  const program = buildProgram(out);
  try {
    program.parse([...args], { from: 'user' });
    return { config: compileAgentConfig(program.opts<AgentFlags>()) };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? EXIT.OK : EXIT.USAGE };
    if (error instanceof UsageError) {
      out.stderr.write(`exrollout-agent: ${error.message}\n(run with --help for usage)\n`);
      return { exitCode: EXIT.USAGE };
    }
    throw error;
  }
}

function buildProgram(out: Output): Command {
  return new Command('exrollout-agent')
    .description(
      'The exrollout agent: reports one Exchange 2007 server to the exrollout server and runs its steps.\n' +
        'First run: --server URL --enrol TOKEN --name NAME --driver ...; afterwards: --driver ... alone.\n' +
        'exrollout-agent scripts --out DIR writes the PowerShell scripts the agent runs (see scripts --help).',
    )
    .version(AGENT_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.stdout.write(text),
      writeErr: (text) => out.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false)
    .option('--server <url>', 'server URL, e.g. https://exrollout.contoso.com:8443 (stored at enrolment)')
    .option('--enrol <token>', 'enrol with this one-time token, store the credential, then run')
    .option('--name <name>', 'NetBIOS name of the Exchange server this agent speaks for (with --enrol)')
    .option('--driver <driver>', 'host driver: powershell or simulated')
    .option('--sim-file <file>', 'simulated driver: JSON description of the simulated host')
    .option('--mode <mode>', 'powershell driver: local (on the Exchange server) or remote (over WinRM)')
    .option('--target <host>', 'powershell driver, remote mode: the Exchange server to manage')
    .option(
      '--hooks-dir <dir>',
      'powershell driver: folder of hook scripts (<name>.ps1) on the Exchange server (default C:\\exrollout\\hooks)',
    )
    .option('--state-dir <dir>', `where the credential is kept (default ${DEFAULT_STATE_DIR})`)
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)');
}
