import type { Command } from 'commander';
import { type ApiClient, type ConnectionOptions, clientFor } from '../api/client.js';
import type { CliContext } from '../context.js';
import { writeJson } from '../io.js';

/** Flags every command that talks to the server accepts. */
export interface ApiOptions extends ConnectionOptions {
  readonly url?: string;
  readonly json?: boolean;
}

/** How a subcommand is set up: whether it reads (`--json`) and whether `--server` names an Exchange server. */
export interface ApiCommandSetup {
  readonly json?: boolean;
  readonly serverIsName?: boolean;
}

/** Adds a subcommand that talks to the server: `--server URL`, `--token TOKEN`, and `--json` when it reads. */
export function apiCommand(
  parent: Command,
  nameAndArgs: string,
  description: string,
  setup: ApiCommandSetup = {},
): Command {
  const command = parent.command(nameAndArgs).description(description);
  if (!setup.serverIsName)
    command.option(
      '--server <url>',
      'exrollout server URL (default: EXROLLOUT_SERVER or http://127.0.0.1:8080)',
    );
  command
    .option(
      '--url <url>',
      setup.serverIsName ? 'exrollout server URL (default: EXROLLOUT_SERVER)' : 'same as --server',
    )
    .option('--token <token>', 'operator API token (default: EXROLLOUT_TOKEN)');
  return setup.json === false ? command : command.option('--json', "print exactly the API's JSON answer");
}

/** The API client for a command's flags (`--url`, or `--server` where it is a URL). */
export function client(options: ApiOptions, context: CliContext, serverIsName = false): ApiClient {
  const server = options.url ?? (serverIsName ? undefined : options.server);
  return clientFor(
    { ...(server ? { server } : {}), ...(options.token ? { token: options.token } : {}) },
    context,
  );
}

/** Prints the API's answer as JSON with `--json`, or rendered for people. */
export function show<T>(
  context: CliContext,
  options: ApiOptions,
  value: unknown,
  render: (value: T) => string,
): void {
  if (options.json) writeJson(context.out, value);
  else context.out.stdout.write(render(value as T));
}
