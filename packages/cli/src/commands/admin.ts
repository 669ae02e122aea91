import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { integer } from '../options.js';
import {
  type AgentList,
  type EnrolmentToken,
  type OperatorToken,
  renderAgents,
  renderEnrolmentToken,
  renderOperatorToken,
  renderRevoked,
  renderTokens,
} from '../render/admin.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';

/** Registers `tokens create|list|revoke`, `enrolment-tokens create` and `agents list|revoke` (admin). */
export function registerAdmin(program: Command, context: CliContext): void {
  const tokens = program.command('tokens').description('Operator API tokens (admin).');
  apiCommand(tokens, 'create', 'Create an operator token; it is printed once.')
    .requiredOption('--name <name>', 'who or what uses it')
    .addOption(
      new Option('--role <role>', 'what it may do')
        .choices(['viewer', 'operator', 'approver', 'admin'])
        .makeOptionMandatory(),
    )
    .action(async (options: ApiOptions & { name: string; role: string }) => {
      const answer = await client(options, context).post('/api/v1/tokens', {
        name: options.name,
        role: options.role,
      });
      show<OperatorToken>(context, options, answer, renderOperatorToken);
    });
  apiCommand(tokens, 'list', 'List operator tokens (never their secrets).').action(
    async (options: ApiOptions) => {
      show<{ tokens: OperatorToken[] }>(
        context,
        options,
        await client(options, context).get('/api/v1/tokens'),
        renderTokens,
      );
    },
  );
  apiCommand(tokens, 'revoke <id>', 'Revoke an operator token.').action(
    async (id: string, options: ApiOptions) => {
      const answer = await client(options, context).delete(`/api/v1/tokens/${encodeURIComponent(id)}`);
      show<{ id: string }>(context, options, answer, (value) => renderRevoked('operator token', value.id));
    },
  );

  const enrolment = program.command('enrolment-tokens').description('Tokens agents enrol with (admin).');
  apiCommand(enrolment, 'create', 'Create an enrolment token; it is printed once.')
    .option('--uses <n>', 'how many agents may enrol with it (default 1)', integer('--uses', 1))
    .option('--ttl <seconds>', 'lifetime in seconds (default 3600)', integer('--ttl', 1))
    .option('--reenrol', 'may replace the credential of a server already enrolled')
    .action(async (options: ApiOptions & { uses?: number; ttl?: number; reenrol?: boolean }) => {
      const body = {
        ...(options.uses !== undefined ? { uses: options.uses } : {}),
        ...(options.ttl !== undefined ? { ttlSeconds: options.ttl } : {}),
        ...(options.reenrol ? { reenrol: true } : {}),
      };
      const answer = await client(options, context).post('/api/v1/enrolment-tokens', body);
      show<EnrolmentToken>(context, options, answer, renderEnrolmentToken);
    });

  const agents = program.command('agents').description('Enrolled agents (admin).');
  apiCommand(agents, 'list', 'List enrolled agents.').action(async (options: ApiOptions) => {
    show<AgentList>(context, options, await client(options, context).get('/api/v1/agents'), renderAgents);
  });
  apiCommand(agents, 'revoke <name>', 'Revoke an agent credential and disconnect it.').action(
    async (name: string, options: ApiOptions) => {
      const answer = await client(options, context).delete(`/api/v1/agents/${encodeURIComponent(name)}`);
      show<{ name: string }>(context, options, answer, (value) => renderRevoked('agent', value.name));
    },
  );
}
