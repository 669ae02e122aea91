import { readFileSync } from 'node:fs';
import {
  type AgentMessageType,
  computerNameProblem,
  type InventoryServer,
  STEP_NAMES,
  WAVE_NAMES,
} from '@exrollout/core';
import fc from 'fast-check';
import { SHA } from '../fleet-helpers.js';
import type { Json, JsonSchema } from './fuzz.js';

/** The server every bad-input test speaks as, and a second one for fresh connections. */
export const FUZZ_NAME = 'FUZZ01';
export const OTHER_NAME = 'FUZZ02';

/** What a test's routes address: a rollout in state `created` and its one server. */
export interface Targets {
  readonly rolloutId: string;
  readonly server: string;
}

/** One body-taking route: a concrete path, a body it accepts, and bodies of the right shape it must refuse. */
export interface RouteCase {
  readonly path: (targets: Targets) => string;
  readonly valid: Json;
  /** Well-formed bodies (or paths) that are wrong for this server's state, with the codes that may refuse them. */
  readonly wrong?: (targets: Targets) => fc.Arbitrary<{ path: string; body: Json }>;
  readonly wrongCodes?: readonly string[];
  /** Why the route has no well-formed wrong body, if it has none. */
  readonly noWrong?: string;
}

const policy = {
  packageSha256: { x64: SHA },
  concurrency: 2,
  waveConcurrency: { remaining: 3 },
  failureBudget: { wave: { count: 1 }, overall: { percent: 10 } },
  approvalRequired: true,
  soakSeconds: 60,
  maintenanceWindows: [{ days: ['sat', 'sun'], start: '22:00', end: '04:00', timeZone: 'Europe/Stockholm' }],
  offlineAgent: { waitSeconds: 60, afterWait: 'skip' },
  minFreeMb: 2048,
  remedyKb944752: true,
  autoRollback: false,
  stepTimeoutSeconds: { install: 3600, other: 300 },
} satisfies Json;

const netbios = fc
  .stringMatching(/^[A-Z][A-Z0-9-]{0,14}$/)
  .filter((name) => computerNameProblem(name) === undefined);
const rolloutId = fc.stringMatching(/^r-[0-9a-f]{10}$/);
const reason = fc.string({ maxLength: 500 });
const unknownName = netbios.filter((name) => ![FUZZ_NAME, OTHER_NAME].includes(name.toUpperCase()));
const unknownUpdate = fc.stringMatching(/^KB[0-9]{6,7}$/).filter((id) => id !== 'KB959241');
const validPolicy = fc.record({
  packageSha256: fc.constant({ x64: SHA }),
  concurrency: fc.integer({ min: 1, max: 1000 }),
  soakSeconds: fc.integer({ min: 0, max: 7 * 86_400 }),
  approvalRequired: fc.boolean(),
});

/** Every body-taking route (as Fastify names it), with its fuzz case. The test fails for a route missing here. */
export const ROUTE_CASES: Readonly<Record<string, RouteCase>> = {
  'POST /agent/v1/enrol': {
    path: () => '/agent/v1/enrol',
    valid: { token: 'exe_0000', name: 'NEW01' },
    wrong: () =>
      fc.record({
        path: fc.constant('/agent/v1/enrol'),
        body: fc.record({ token: fc.string({ minLength: 1, maxLength: 200 }), name: netbios }),
      }),
    wrongCodes: ['SRV_ERR_ENROL_TOKEN_INVALID'],
  },
  'POST /api/v1/enrolment-tokens': {
    path: () => '/api/v1/enrolment-tokens',
    valid: { ttlSeconds: 600, uses: 2, reenrol: false },
    noWrong: 'every well-formed body issues a token, as it should',
  },
  'POST /api/v1/tokens': {
    path: () => '/api/v1/tokens',
    valid: { name: 'noc-fuzz', role: 'viewer' },
    noWrong: 'every well-formed body issues a token, as it should',
  },
  'POST /api/v1/plans': {
    path: () => '/api/v1/plans',
    valid: { update: 'KB959241', selection: { names: [FUZZ_NAME], sites: ['HQ'], roles: ['HubTransport'] } },
    wrong: () =>
      fc.record({
        path: fc.constant('/api/v1/plans'),
        body: fc.oneof(
          fc.record({ update: unknownUpdate }),
          fc.record({
            selection: fc.record({ names: fc.array(unknownName, { minLength: 1, maxLength: 3 }) }),
          }),
        ),
      }),
    wrongCodes: ['CORE_ERR_UPDATE_UNKNOWN', 'CORE_ERR_SELECTION_UNKNOWN_SERVER'],
  },
  'PUT /api/v1/servers/:name/internet-facing': {
    path: (t) => `/api/v1/servers/${t.server}/internet-facing`,
    valid: { internetFacing: true, reason: 'fuzz' },
    // The fuzzed server is a Hub Transport server: pinning it is refused; so is pinning one that never reported.
    wrong: (t) =>
      fc.record({
        path: fc
          .oneof(fc.constant(t.server), unknownName)
          .map((name) => `/api/v1/servers/${name}/internet-facing`),
        body: fc.record(
          { internetFacing: fc.boolean(), reason: fc.string({ minLength: 1, maxLength: 500 }) },
          { requiredKeys: ['internetFacing'] },
        ),
      }),
    wrongCodes: ['SRV_ERR_SERVER_NOT_CLIENT_ACCESS', 'SRV_ERR_NOT_FOUND'],
  },
  'POST /api/v1/rollouts': {
    path: () => '/api/v1/rollouts',
    valid: { update: 'KB959241', selection: { names: [FUZZ_NAME] }, policy },
    wrong: () =>
      fc.record({
        path: fc.constant('/api/v1/rollouts'),
        body: fc.oneof(
          fc.record({ update: unknownUpdate, policy: validPolicy }),
          fc.record({
            selection: fc.record({ names: fc.array(unknownName, { minLength: 1, maxLength: 3 }) }),
            policy: validPolicy,
          }),
          // The rollout the test created covers this server and is unfinished: any policy overlaps it.
          fc.record({ selection: fc.constant<Json>({ names: [FUZZ_NAME] }), policy: validPolicy }),
        ),
      }),
    wrongCodes: ['CORE_ERR_UPDATE_UNKNOWN', 'CORE_ERR_SELECTION_UNKNOWN_SERVER', 'SRV_ERR_ROLLOUT_OVERLAP'],
  },
  'POST /api/v1/rollouts/:id/:action': {
    path: (t) => `/api/v1/rollouts/${t.rolloutId}/start`,
    valid: { reason: 'fuzz' },
    wrong: (t) =>
      fc.record({
        path: fc.oneof(
          fc.constantFrom('pause', 'resume', 'approve').map((a) => `/api/v1/rollouts/${t.rolloutId}/${a}`),
          fc
            .tuple(rolloutId, fc.constantFrom('start', 'pause', 'resume', 'approve', 'abort'))
            .filter(([id]) => id !== t.rolloutId)
            .map(([id, a]) => `/api/v1/rollouts/${id}/${a}`),
        ),
        body: fc.oneof(fc.constant(null), fc.record({ reason }, { requiredKeys: [] })),
      }),
    wrongCodes: ['SRV_ERR_ROLLOUT_STATE', 'SRV_ERR_NOT_FOUND'],
  },
  'POST /api/v1/rollouts/:id/servers/:name/:action': {
    path: (t) => `/api/v1/rollouts/${t.rolloutId}/servers/${t.server}/retry`,
    valid: { reason: 'fuzz' },
    wrong: (t) =>
      fc.record({
        // Skipping a server of a rollout that has not started is allowed; retrying one that never failed is not.
        path: fc.oneof(
          fc.constant(`/api/v1/rollouts/${t.rolloutId}/servers/${t.server}/retry`),
          fc
            .tuple(unknownName, fc.constantFrom('retry', 'skip'))
            .map(([name, a]) => `/api/v1/rollouts/${t.rolloutId}/servers/${name}/${a}`),
        ),
        body: fc.oneof(fc.constant(null), fc.record({ reason }, { requiredKeys: [] })),
      }),
    wrongCodes: ['SRV_ERR_ROLLOUT_STATE', 'SRV_ERR_NOT_FOUND'],
  },
  'POST /api/v1/rollouts/:id/rollback': {
    path: (t) => `/api/v1/rollouts/${t.rolloutId}/rollback`,
    valid: { reason: 'fuzz', wave: WAVE_NAMES[2] },
    wrong: (t) =>
      fc.record({
        path: fc.constant(`/api/v1/rollouts/${t.rolloutId}/rollback`),
        body: fc.record(
          { reason: fc.string({ minLength: 1, maxLength: 500 }), wave: fc.constantFrom(...WAVE_NAMES) },
          { requiredKeys: ['reason'] },
        ),
      }),
    wrongCodes: ['SRV_ERR_ROLLOUT_STATE', 'SRV_ERR_NOTHING_TO_ROLL_BACK'],
  },
  'POST /api/v1/rollouts/:id/servers/:name/rollback': {
    path: (t) => `/api/v1/rollouts/${t.rolloutId}/servers/${t.server}/rollback`,
    valid: { reason: 'fuzz' },
    wrong: (t) =>
      fc.record({
        path: fc
          .oneof(fc.constant(t.server), unknownName)
          .map((name) => `/api/v1/rollouts/${t.rolloutId}/servers/${name}/rollback`),
        body: fc.record({ reason: fc.string({ minLength: 1, maxLength: 500 }) }),
      }),
    wrongCodes: ['SRV_ERR_ROLLOUT_STATE', 'SRV_ERR_NOTHING_TO_ROLL_BACK', 'SRV_ERR_NOT_FOUND'],
  },
};

/** The inventory record the fuzzed agent reports. */
export const FUZZ_SERVER: InventoryServer = {
  name: FUZZ_NAME,
  site: 'HQ',
  build: '8.1.311.3',
  roles: ['HubTransport'],
};

const now = '2026-04-01T10:00:00.000Z';

/** A valid message of every type an agent sends, the base the fuzzer breaks. */
export const VALID_MESSAGES: Readonly<Record<AgentMessageType, Json>> = {
  HELLO: {
    version: 1,
    type: 'HELLO',
    payload: { name: FUZZ_NAME, agentVersion: '1.0', driver: 'simulated' },
  },
  INVENTORY: {
    version: 1,
    type: 'INVENTORY',
    payload: {
      server: {
        ...FUZZ_SERVER,
        fqdn: 'fuzz01.contoso.com',
        interimUpdates: ['IU1'],
        cluster: { type: 'CCR', name: 'CLU1', role: 'active', cms: 'CMS1' },
        roles: ['Mailbox'],
      },
      host: { architecture: 'x64', pendingReboot: false, systemDriveFreeMb: 4096, os: 'Windows Server 2003' },
      collectedAt: now,
    },
  },
  HEARTBEAT: {
    version: 1,
    type: 'HEARTBEAT',
    payload: { sentAt: now, runningCommandId: 'r-1:FUZZ01:install' },
  },
  COMMAND_ACK: { version: 1, type: 'COMMAND_ACK', payload: { commandId: 'r-1:FUZZ01:install' } },
  STEP_PROGRESS: {
    version: 1,
    type: 'STEP_PROGRESS',
    payload: { commandId: 'r-1:FUZZ01:install', step: 'install', percent: 50, message: 'installing' },
  },
  STEP_RESULT: {
    version: 1,
    type: 'STEP_RESULT',
    payload: {
      commandId: 'r-1:FUZZ01:install',
      step: 'install',
      outcome: 'failed',
      error: { code: 'INSTALL_FAILED', message: 'no' },
      details: { build: '8.1.340.1', removed: ['IU1'], movedTo: 'NODE2', servicesStopped: ['MSExchangeIS'] },
      finishedAt: now,
    },
  },
};

/**
 * The message catalog as documented (docs/protocol.schema.json), the fuzzer's judge of which messages are valid:
 * read from the docs, not from the decoder under test, so a decoder or schema that is too lax gets found.
 */
export const MESSAGE_SCHEMAS = (
  JSON.parse(readFileSync(new URL('../../../../docs/protocol.schema.json', import.meta.url), 'utf8')) as {
    agentToServer: Record<AgentMessageType, JsonSchema>;
  }
).agentToServer;

const commandId = fc.stringMatching(/^[A-Za-z0-9:_-]{1,128}$/);
const step = fc.constantFrom(...STEP_NAMES);
const inconsistent = fc.constantFrom<InventoryServer>(
  { ...FUZZ_SERVER, roles: ['Edge', 'Mailbox'] },
  { ...FUZZ_SERVER, internetFacing: true },
  { ...FUZZ_SERVER, owaCustomized: false },
  { ...FUZZ_SERVER, build: '99999.1.1.1' },
  { ...FUZZ_SERVER, roles: ['HubTransport'], cluster: { type: 'CCR', name: 'CLU1', role: 'passive' } },
);

/**
 * Well-formed messages that are wrong for the fuzzed agent, with the one code each must be refused with:
 * a second HELLO, an inconsistent record, results and progress for commands it was never sent.
 * HEARTBEAT has none: every well-formed heartbeat is right, whatever clock it carries.
 */
export const WRONG_MESSAGES: Readonly<
  Partial<Record<AgentMessageType, fc.Arbitrary<{ message: Json; code: string }>>>
> = {
  HELLO: fc
    .record({ name: netbios, agentVersion: fc.string({ maxLength: 64 }) })
    .map(({ name, agentVersion }) => ({
      message: { version: 1, type: 'HELLO', payload: { name, agentVersion, driver: 'powershell' } },
      code: 'PROTOCOL_DUPLICATE_HELLO',
    })),
  INVENTORY: fc
    .record({ server: inconsistent, site: fc.string({ minLength: 1, maxLength: 64 }) })
    .map((r) => ({
      message: {
        version: 1,
        type: 'INVENTORY',
        payload: { server: { ...r.server, site: r.site }, host: {}, collectedAt: now },
      } as Json,
      code: 'INVENTORY_INCONSISTENT',
    })),
  COMMAND_ACK: commandId.map((id) => ({
    message: { version: 1, type: 'COMMAND_ACK', payload: { commandId: id } },
    code: 'COMMAND_UNKNOWN',
  })),
  STEP_PROGRESS: fc.record({ id: commandId, step, percent: fc.integer({ min: 0, max: 100 }) }).map((r) => ({
    message: {
      version: 1,
      type: 'STEP_PROGRESS',
      payload: { commandId: r.id, step: r.step, percent: r.percent, message: 'x' },
    },
    code: 'COMMAND_UNKNOWN',
  })),
  STEP_RESULT: fc
    .record({ id: commandId, step, outcome: fc.constantFrom('succeeded', 'failed') })
    .map((r) => ({
      message: {
        version: 1,
        type: 'STEP_RESULT',
        payload: { commandId: r.id, step: r.step, outcome: r.outcome, details: {}, finishedAt: now },
      },
      code: 'COMMAND_UNKNOWN',
    })),
};
