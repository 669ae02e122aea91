import { WAVE_NAMES } from '@exrollout/core';
import { type Command, Option } from 'commander';
import type { RolloutSummary, RolloutView } from '../api/types.js';
import type { CliContext } from '../context.js';
import { integer, list } from '../options.js';
import { renderActionResult, renderCreated, renderRollout, renderRollouts } from '../render/rollouts.js';
import { type ApiOptions, apiCommand, client, show } from './common.js';
import { type CreateOptions, createBody } from './create-body.js';
import { registerEvents } from './events.js';
import { rolloutPackages } from './store-packages.js';
import { watchCommand } from './watch.js';

interface ReasonOptions extends ApiOptions {
  readonly reason?: string;
  readonly wave?: string;
  readonly server?: string;
}

const ACTIONS: Record<string, string> = {
  start: 'Start a created rollout.',
  pause: 'Pause: no new server starts; running ones finish.',
  resume: 'Resume a paused or halted rollout.',
  approve: 'Open the gate of the next wave (approver).',
  abort: 'Stop for good: nothing new starts.',
};
const SERVER_ACTIONS: Record<string, string> = {
  retry: 'Run a failed or skipped server of the current wave again.',
  skip: 'Leave a pending or failed server out.',
};

const path = (id: string, ...rest: string[]) =>
  ['/api/v1/rollouts', id, ...rest].map((part, i) => (i === 0 ? part : encodeURIComponent(part))).join('/');

/** Registers `rollouts create|list|show|start|pause|resume|approve|abort|retry|skip|rollback|events|watch`. */
export function registerRollouts(program: Command, context: CliContext): void {
  const rollouts = program.command('rollouts').description('Create, run, watch and roll back rollouts.');
  registerCreate(rollouts, context);
  apiCommand(rollouts, 'list', 'The newest rollouts, with their state and counts.').action(
    async (options: ApiOptions) => {
      const answer = await client(options, context).get('/api/v1/rollouts');
      show<{ rollouts: RolloutSummary[] }>(context, options, answer, renderRollouts);
    },
  );
  apiCommand(rollouts, 'show <id>', 'A rollout: its waves and servers, and who is left out.').action(
    async (id: string, options: ApiOptions) => {
      show<RolloutView>(context, options, await client(options, context).get(path(id)), renderRollout);
    },
  );
  for (const [action, description] of Object.entries(ACTIONS))
    apiCommand(rollouts, `${action} <id>`, description)
      .option('--reason <text>', 'why, kept in the audit trail')
      .action(async (id: string, options: ReasonOptions) => {
        const answer = await client(options, context).post(path(id, action), reasonBody(options.reason));
        show<RolloutView>(context, options, answer, renderActionResult);
      });
  for (const [action, description] of Object.entries(SERVER_ACTIONS))
    apiCommand(rollouts, `${action} <id> <server>`, description)
      .option('--reason <text>', 'why, kept in the audit trail')
      .action(async (id: string, server: string, options: ReasonOptions) => {
        const answer = await client(options, context).post(
          path(id, 'servers', server, action),
          reasonBody(options.reason),
        );
        show<RolloutView>(context, options, answer, renderActionResult);
      });
  registerRollback(rollouts, context);
  registerEvents(rollouts, context);
  apiCommand(
    rollouts,
    'watch <id>',
    'Follow a rollout live, through approval gates, until it ends or stops.',
    {
      json: false,
    },
  )
    .option('--stop-at-gate', 'stop (exit code 3) when the rollout waits for an approver')
    .action(async (id: string, options: ApiOptions & { stopAtGate?: boolean }) =>
      watchCommand(client(options, context), id, context, { stopAtGate: options.stopAtGate === true }),
    );
}

function registerCreate(rollouts: Command, context: CliContext): void {
  apiCommand(rollouts, 'create', 'Plan and store a rollout from the live inventory (it does not start).')
    .option('--policy <file>', 'policy JSON file (docs/rollouts.md); the flags below override its fields')
    .option('--concurrency <n>', 'servers in flight at once within a wave', integer('--concurrency', 1))
    .option('--sha256 <hex>', 'SHA-256 of Exchange2007-KB959241-x64-EN.msp, staged by other means')
    .option('--from-store', "the newest package of the update per architecture from the server's store")
    .addOption(
      new Option('--package <sha256>', 'a package from the store (packages list); once per architecture')
        .argParser((value: string, previous: string[] = []) => [...previous, value])
        .conflicts('fromStore'),
    )
    .option('--approval', 'an approver must approve each wave after the first (the default)')
    .option('--no-approval', 'waves follow each other without approval')
    .option('--soak <seconds>', 'wait after a wave completes before the next starts', integer('--soak'))
    .option(
      '--budget <n>',
      'failed servers tolerated overall; one more halts the rollout',
      integer('--budget'),
    )
    .option('-u, --update <id>', 'update to roll out', 'KB959241')
    .addOption(new Option('--servers <names>', 'only these servers (comma-separated)').argParser(list))
    .addOption(new Option('--sites <sites>', 'only servers in these sites (comma-separated)').argParser(list))
    .addOption(
      new Option('--roles <roles>', 'only servers with one of these roles (comma-separated)').argParser(list),
    )
    .action(async (options: CreateOptions & ApiOptions) => {
      const body = await createBody(options);
      const api = client(options, context);
      const packages = await rolloutPackages(api, options);
      const answer = await api.post('/api/v1/rollouts', packages ? { ...body, packages } : body);
      show<RolloutView>(context, options, answer, renderCreated);
    });
}

function registerRollback(rollouts: Command, context: CliContext): void {
  apiCommand(
    rollouts,
    'rollback <id>',
    'Roll back a rollout, one wave or one server (uninstall update 959241).',
    { serverIsName: true },
  )
    .requiredOption('--reason <text>', 'why; required, kept in the audit trail')
    .addOption(new Option('--wave <name>', 'only this wave').choices(WAVE_NAMES).conflicts('server'))
    .option('--server <name>', 'only this Exchange server')
    .action(async (id: string, options: ReasonOptions) => {
      const api = client(options, context, true);
      const answer = options.server
        ? await api.post(path(id, 'servers', options.server, 'rollback'), { reason: options.reason })
        : await api.post(path(id, 'rollback'), {
            reason: options.reason,
            ...(options.wave ? { wave: options.wave } : {}),
          });
      show<RolloutView>(context, options, answer, renderActionResult);
    });
}

function reasonBody(reason: string | undefined): { reason?: string } {
  return reason === undefined ? {} : { reason };
}
