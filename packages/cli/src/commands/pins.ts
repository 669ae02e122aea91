import type { InternetFacingPin } from '@exrollout/core';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { renderPin, renderUnpin } from '../render/servers.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';

interface PinOptions extends ApiOptions {
  readonly internetFacing?: boolean;
  readonly internal?: boolean;
  readonly reason?: string;
}

const pinPath = (name: string) => `/api/v1/servers/${encodeURIComponent(name)}/internet-facing`;

/** Registers `servers pin NAME --internet-facing|--internal [--reason TEXT]` and `servers unpin NAME` (operator). */
export function registerPins(servers: Command, context: CliContext): void {
  apiCommand(
    servers,
    'pin <name>',
    "Pin a Client Access server Internet-facing or internal, over its agent's report (operator).",
  )
    .addOption(new Option('--internet-facing', 'plans put it in wave cas-internet-facing'))
    .addOption(new Option('--internal', 'plans put it in wave cas-internal').conflicts('internetFacing'))
    .option('--reason <text>', 'why, kept with the pin')
    .action(async (name: string, options: PinOptions) => {
      const body = {
        internetFacing: pinnedValue(options),
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
      };
      const answer = await client(options, context).put(pinPath(name), body);
      show<InternetFacingPin>(context, options, answer, renderPin);
    });
  apiCommand(
    servers,
    'unpin <name>',
    "Remove a server's Internet-facing pin: its agent's report decides again (operator).",
  ).action(async (name: string, options: ApiOptions) => {
    const answer = await client(options, context).delete(pinPath(name));
    show<{ name: string }>(context, options, answer, renderUnpin);
  });
}

function pinnedValue(options: PinOptions): boolean {
  if (options.internetFacing) return true;
  if (options.internal) return false;
  throw new CliError('CLI_ERR_USAGE', 'servers pin needs --internet-facing or --internal');
}
