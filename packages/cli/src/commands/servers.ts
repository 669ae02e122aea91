import { type Command, Option } from 'commander';
import type { ComplianceReport, ServerDetail, ServerView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { toRole } from '../options.js';
import { renderCompliance, renderServer, renderServers } from '../render/servers.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';
import { registerPins } from './pins.js';

interface ListOptions extends ApiOptions {
  readonly role?: string;
  readonly site?: string;
  readonly online?: boolean;
  readonly offline?: boolean;
  readonly compliance?: string;
  readonly update?: string;
}

/** Registers `servers list`, `servers show`, `servers pin|unpin` and `compliance`. */
export function registerServers(program: Command, context: CliContext): void {
  const servers = program.command('servers').description('The Exchange servers the agents report.');
  apiCommand(servers, 'list', 'List servers with build, rollup, liveness and compliance.')
    .option('--role <role>', 'only servers with this Exchange role')
    .option('--site <site>', 'only servers in this Active Directory site')
    .addOption(new Option('--online', 'only servers whose agent is connected'))
    .addOption(new Option('--offline', 'only servers whose agent is not connected').conflicts('online'))
    .addOption(
      new Option('--compliance <status>', 'only servers with this compliance').choices([
        'current',
        'needs-update',
        'excluded',
      ]),
    )
    .option('-u, --update <id>', 'update that compliance is judged against', 'KB959241')
    .action(async (options: ListOptions) => {
      const answer = await client(options, context).get('/api/v1/servers', {
        role: options.role ? toRole(options.role) : undefined,
        site: options.site,
        online: options.online ? 'true' : options.offline ? 'false' : undefined,
        compliance: options.compliance,
        update: options.update,
      });
      show<{ total: number; servers: ServerView[] }>(context, options, answer, renderServers);
    });
  apiCommand(servers, 'show <name>', 'One server: inventory, host facts, agent, compliance, build history.')
    .option('-u, --update <id>', 'update that compliance is judged against', 'KB959241')
    .action(async (name: string, options: ListOptions) => {
      const path = `/api/v1/servers/${encodeURIComponent(name)}`;
      const answer = await client(options, context).get(path, { update: options.update });
      show<ServerDetail>(context, options, answer, renderServer);
    });
  registerPins(servers, context);
  apiCommand(
    program,
    'compliance',
    'Compliance of the fleet with an update: current, needs update, excluded.',
  )
    .option('-u, --update <id>', 'update to judge against', 'KB959241')
    .action(async (options: ListOptions) => {
      const answer = await client(options, context).get('/api/v1/compliance', { update: options.update });
      show<ComplianceReport>(context, options, answer, renderCompliance);
    });
}
