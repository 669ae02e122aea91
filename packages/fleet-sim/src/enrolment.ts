import { join } from 'node:path';
import { ClientError, enrol, readCredential, writeCredential } from '@exrollout/agent';
import { FleetError } from './errors.js';
import type { FleetAgent } from './fleet-agent.js';
import { forEachBounded } from './pool.js';

/** How the fleet gets its credentials. */
export interface EnrolmentOptions {
  /** The URL agent number `index` (in scenario order) enrols and connects at. */
  readonly serverUrlOf: (index: number) => string;
  /** A token with at least as many uses as agents to enrol. */
  readonly enrolToken?: string;
  /** Keep credentials here (one sub-directory per agent) and reuse them next time; in memory only otherwise. */
  readonly stateDir?: string;
  readonly concurrency: number;
  readonly fetch?: typeof fetch;
  readonly onProgress?: (done: number, total: number) => void;
}

/** How many agents enrolled now, and how many reused a stored credential. */
export interface EnrolmentResult {
  readonly enrolled: number;
  readonly reused: number;
}

const SHOWN_FAILURES = 5;

/** Gives every agent a credential, enrolling those without one; throws FleetError if any agent could not. */
export async function enrolFleet(
  agents: readonly FleetAgent[],
  options: EnrolmentOptions,
): Promise<EnrolmentResult> {
  const failures: { name: string; error: unknown }[] = [];
  const abort = new AbortController();
  let enrolled = 0;
  let reused = 0;
  await forEachBounded(
    agents,
    {
      concurrency: options.concurrency,
      signal: abort.signal,
      onError: (error, agent) => {
        failures.push({ name: agent.name, error });
        // Every other agent would be refused the same way: stop asking.
        if (error instanceof ClientError && error.code === 'AGENT_ERR_ENROL_TOKEN_INVALID') abort.abort();
      },
    },
    async (agent, index) => {
      if (await enrolOne(agent, options.serverUrlOf(index), options)) enrolled += 1;
      else reused += 1;
      options.onProgress?.(enrolled + reused, agents.length);
    },
  );
  if (failures.length > 0) throw enrolmentError(failures, agents.length);
  return { enrolled, reused };
}

// True when the agent enrolled now, false when it reused a stored credential.
async function enrolOne(agent: FleetAgent, serverUrl: string, options: EnrolmentOptions): Promise<boolean> {
  const stateDir = options.stateDir === undefined ? undefined : join(options.stateDir, agent.name);
  const stored = stateDir === undefined ? undefined : await readCredential(stateDir);
  if (stored) {
    agent.setCredential(serverUrl, stored.credential);
    return false;
  }
  if (options.enrolToken === undefined)
    throw new FleetError('FLEET_ERR_ENROL', 'no stored credential and no --enrol-token to enrol with');
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const enrolment = await enrol(serverUrl, options.enrolToken, agent.name, fetchOption);
  agent.setCredential(serverUrl, enrolment.credential);
  if (stateDir !== undefined)
    await writeCredential(stateDir, {
      serverUrl,
      name: enrolment.name,
      credential: enrolment.credential,
      enrolledAt: new Date().toISOString(),
    });
  return true;
}

function enrolmentError(failures: readonly { name: string; error: unknown }[], total: number): FleetError {
  const lines = failures
    .slice(0, SHOWN_FAILURES)
    .map(({ name, error }) => `  ${name}: ${error instanceof Error ? error.message : String(error)}`);
  const more = failures.length > SHOWN_FAILURES ? `\n  ... and ${failures.length - SHOWN_FAILURES} more` : '';
  return new FleetError(
    'FLEET_ERR_ENROL',
    `${failures.length} of ${total} agents could not enrol:\n${lines.join('\n')}${more}`,
    { cause: failures[0]?.error },
  );
}
