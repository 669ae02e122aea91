import Type, { type Static } from 'typebox';
import { WAVE_NAMES } from '../planner/names.js';

/** A failure budget: how many failed servers are tolerated before the rollout halts (count, percent, or both). */
export const FailureBudget = Type.Object(
  {
    count: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Failed servers tolerated; one more halts.' }),
    ),
    percent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description: 'Share of servers that may fail; above it halts.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FailureBudget = Static<typeof FailureBudget>;

/** Days of the week as maintenance windows name them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A weekly maintenance window in a named time zone; `end` before `start` runs past midnight. */
export const MaintenanceWindow = Type.Object(
  {
    days: Type.Array(Type.Enum(WEEKDAYS), { minItems: 1, maxItems: 7, uniqueItems: true }),
    start: Type.String({
      pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
      description: 'HH:MM, local time of the zone.',
    }),
    end: Type.String({
      pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
      description: 'HH:MM; before start means the next day.',
    }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Europe/Stockholm.' }),
  },
  { additionalProperties: false },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

/** A hook's name: the file `<name>.ps1` in the agent's hooks folder; never script text. */
export const HookName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
  description: "A hook's name: the agent runs `<name>.ps1` from its own hooks folder.",
});

/** How a rollout runs: speed, what stops it, when it may run, and what an offline agent means. */
export const RolloutPolicy = Type.Object(
  {
    concurrency: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 1,
      description: 'Servers in flight at once within a wave.',
    }),
    waveConcurrency: Type.Optional(
      Type.Object(
        Object.fromEntries(
          WAVE_NAMES.map((name) => [name, Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }))]),
        ),
        { additionalProperties: false, description: 'Per-wave overrides of concurrency.' },
      ),
    ),
    failureBudget: Type.Object(
      { wave: Type.Optional(FailureBudget), overall: Type.Optional(FailureBudget) },
      {
        additionalProperties: false,
        default: { overall: { count: 0 } },
        description: 'Exceeding either halts the rollout.',
      },
    ),
    approvalRequired: Type.Boolean({
      default: true,
      description: 'An approver must approve each wave after the first.',
    }),
    soakSeconds: Type.Integer({
      minimum: 0,
      maximum: 7 * 86_400,
      default: 0,
      description: 'Wait after a wave completes.',
    }),
    maintenanceWindows: Type.Array(MaintenanceWindow, {
      maxItems: 50,
      default: [],
      description: 'Servers start only inside one; none means any time.',
    }),
    offlineAgent: Type.Object(
      {
        waitSeconds: Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 900 }),
        afterWait: Type.Enum(['skip', 'fail'], { default: 'fail' }),
      },
      {
        additionalProperties: false,
        default: { waitSeconds: 900, afterWait: 'fail' },
        description: 'An agent offline when its turn comes, or that drops mid-step and stays away.',
      },
    ),
    packageSha256: Type.Object(
      {
        x64: Type.String({ pattern: '^[0-9a-f]{64}$' }),
        x86: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
      },
      {
        additionalProperties: false,
        description: 'SHA-256 of the .msp the agents must find, per architecture.',
      },
    ),
    stageAhead: Type.Boolean({
      default: true,
      description:
        "With packages from the server's store: every server stages its package as soon as the rollout starts, ahead of its wave, so that its turn is spent installing.",
    }),
    stageConcurrency: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 10,
      description: 'Servers staging ahead of their wave at once, across the whole rollout.',
    }),
    packageBytes: Type.Optional(
      Type.Object(
        {
          x64: Type.Optional(Type.Integer({ minimum: 1 })),
          x86: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        {
          additionalProperties: false,
          description:
            "Size of each architecture's package, set by the server from its store: precheck then asks for minFreeMb plus twice the package's size free.",
        },
      ),
    ),
    minFreeMb: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 1024,
      description: 'Free space the system drive needs.',
    }),
    remedyKb944752: Type.Boolean({
      default: true,
      description: 'If services do not start after install, apply the KB 944752 remedy.',
    }),
    autoRollback: Type.Boolean({
      default: false,
      description: 'Roll a server back when its own install fails verification.',
    }),
    restart: Type.Enum(['if-required', 'never', 'always'], {
      default: 'if-required',
      description:
        'Restart a server after its install (or uninstall): when msiexec or Windows asks for it (3010, 1641, a pending restart), never, or always.',
    }),
    restartTimeoutSeconds: Type.Integer({
      minimum: 60,
      maximum: 86_400,
      default: 1800,
      description:
        'How long a restarted server has to come back (its agent reporting the new boot) before RESTART_TIMEOUT.',
    }),
    installerBusy: Type.Object(
      {
        retries: Type.Integer({ minimum: 0, maximum: 20, default: 2 }),
        waitSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 300 }),
      },
      {
        additionalProperties: false,
        default: { retries: 2, waitSeconds: 300 },
        description:
          'msiexec 1618 (another installation is in progress): how many times to try the install again, and after how long.',
      },
    ),
    crlCheckOffDuringInstall: Type.Boolean({
      default: false,
      description:
        "Turn the publisher certificate revocation check off for the install (servers without Internet access wait 40-60 minutes on CRL look-ups) and put the previous setting back afterwards, whatever the install's outcome.",
    }),
    installHooks: Type.Object(
      {
        before: Type.Array(HookName, { maxItems: 10, default: [] }),
        after: Type.Array(HookName, { maxItems: 10, default: [] }),
      },
      {
        additionalProperties: false,
        default: { before: [], after: [] },
        description:
          "Hooks the agent runs before and after msiexec (e.g. an antivirus or Forefront disable/enable), by name: the scripts are the administrator's, in the agent's hooks folder.",
      },
    ),
    clusterMove: Type.Object(
      {
        maxCopyQueueLength: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10 }),
        maxReplayQueueLength: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 100 }),
      },
      {
        additionalProperties: false,
        default: { maxCopyQueueLength: 10, maxReplayQueueLength: 100 },
        description:
          'CCR: the most log files a storage group copy may still have to copy or replay before the clustered mailbox server moves.',
      },
    ),
    stepTimeoutSeconds: Type.Object(
      {
        install: Type.Integer({ minimum: 10, maximum: 86_400, default: 7200 }),
        other: Type.Integer({ minimum: 5, maximum: 86_400, default: 900 }),
      },
      { additionalProperties: false, default: { install: 7200, other: 900 } },
    ),
  },
  { additionalProperties: false },
);
export type RolloutPolicy = Static<typeof RolloutPolicy>;
