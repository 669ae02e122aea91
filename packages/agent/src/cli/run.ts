import { AgentClient } from '../client/agent-client.js';
import { readCredential, type StoredCredential, writeCredential } from '../client/credentials.js';
import { enrol } from '../client/enrol.js';
import type { EnrolFetch } from '../client/http-post.js';
import type { AgentLogger } from '../client/logger.js';
import { AGENT_VERSION } from '../client/version.js';
import type { HostDriver } from '../drivers/types.js';
import { AgentError } from '../errors.js';
import { StepExecutor } from '../executor/executor.js';
import { FileJournal, journalDir } from '../executor/file-journal.js';
import { serverPackageSource } from '../staging/source.js';
import type { Output } from './args.js';
import type { AgentConfig, DriverChoice } from './config.js';
import { EXIT, exitCodeFor, UsageError } from './exit.js';
import { followHostEvents } from './host-events.js';

/** The signals the agent stops on. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What a run needs from its process; main.ts passes the real ones, tests their own. */
export interface RunDeps {
  readonly logger: AgentLogger;
  readonly out: Output;
  /** Where SIGINT and SIGTERM come from (the process). */
  readonly signals: {
    once(signal: (typeof STOP_SIGNALS)[number], listener: () => void): unknown;
    off(signal: (typeof STOP_SIGNALS)[number], listener: () => void): unknown;
  };
  /** Builds the host driver for the enrolled name. */
  readonly createDriver: (choice: DriverChoice, name: string, logger: AgentLogger) => Promise<HostDriver>;
  readonly fetch?: EnrolFetch;
}

/** Enrols if asked, then runs the agent until a signal (exit 0) or a refused credential (exit 3). */
export async function runAgent(config: Readonly<AgentConfig>, deps: RunDeps): Promise<number> {
  try {
    const credential = await loadOrEnrol(config, deps);
    const driver = await deps.createDriver(config.driver, credential.name, deps.logger);
    const journal = new FileJournal({ dir: journalDir(config.stateDir), logger: deps.logger });
    // Read before connecting: a journal that cannot be read must stop the agent, not its first command.
    await journal.open();
    const serverUrl = config.serverUrl ?? credential.serverUrl;
    const packages = serverPackageSource(serverUrl, credential.credential);
    const executor = new StepExecutor({ driver, journal, logger: deps.logger, packages });
    const client = new AgentClient({
      serverUrl,
      credential: credential.credential,
      name: credential.name,
      driver,
      logger: deps.logger,
      agentVersion: AGENT_VERSION,
      commandHandler: executor,
      ...(config.driver.kind === 'powershell' ? { mode: config.driver.mode } : {}),
    });
    const unfollow = followHostEvents(driver, client, deps.logger);
    try {
      return await runUntilStopped(client, deps, () => executor.drain());
    } finally {
      unfollow();
    }
  } catch (error) {
    const exitCode = exitCodeFor(error);
    const message = error instanceof Error ? error.message : String(error);
    // Known errors explain themselves; anything else is a bug, and its stack says where.
    const detail =
      error instanceof AgentError || !(error instanceof Error) ? message : (error.stack ?? message);
    deps.logger.error({ err: message }, 'agent failed');
    deps.out.stderr.write(`exrollout-agent: ${detail}\n`);
    return exitCode;
  }
}

async function loadOrEnrol(config: Readonly<AgentConfig>, deps: RunDeps): Promise<StoredCredential> {
  const { enrolToken, serverUrl, name, stateDir } = config;
  if (enrolToken !== undefined && serverUrl !== undefined && name !== undefined) {
    const enrolment = await enrol(serverUrl, enrolToken, name, deps.fetch ? { fetch: deps.fetch } : {});
    const record: StoredCredential = {
      serverUrl,
      name: enrolment.name,
      credential: enrolment.credential,
      enrolledAt: new Date().toISOString(),
    };
    await writeCredential(stateDir, record);
    deps.logger.info({ agent: record.name, serverUrl, stateDir }, 'enrolled; credential stored');
    return record;
  }
  const stored = await readCredential(stateDir);
  if (!stored)
    throw new UsageError(
      `not enrolled: no credential in ${stateDir}; run once with --server URL --enrol TOKEN --name NAME`,
    );
  if (name !== undefined && name.toLowerCase() !== stored.name.toLowerCase())
    throw new UsageError(
      `--name ${name} does not match the name this agent enrolled as (${stored.name}); to change it, enrol again with --enrol TOKEN`,
    );
  return stored;
}

// A running step is not aborted on a signal (killing PowerShell mid-msiexec helps nobody); the journal keeps it
// started. Journal writes already under way are let finish, so that a finished step is not recorded as started.
function runUntilStopped(client: AgentClient, deps: RunDeps, drain: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = () => {
      deps.logger.info('stopping');
      finish();
      client
        .stop()
        .then(drain)
        .then(
          () => resolve(EXIT.OK),
          () => resolve(EXIT.INTERNAL),
        );
    };
    const finish = () => {
      for (const signal of STOP_SIGNALS) deps.signals.off(signal, onSignal);
    };
    for (const signal of STOP_SIGNALS) deps.signals.once(signal, onSignal);
    client.once('fatal', (error) => {
      finish();
      deps.out.stderr.write(`exrollout-agent: ${error.message}\n`);
      resolve(EXIT.CREDENTIAL);
    });
    client.start();
  });
}
