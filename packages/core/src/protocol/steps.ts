import Type, { type Static } from 'typebox';
import { BuildString, netbiosName } from '../inventory/schema.js';
import { HookName } from '../rollout/policy.js';

/** An update package as the agent must find it: file name and SHA-256, checked before it runs. */
export const PackageRef = Type.Object(
  {
    file: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.msp$',
      description: 'The .msp file name.',
    }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256 of the file.' }),
  },
  { additionalProperties: false },
);
export type PackageRef = Static<typeof PackageRef>;

const GUID = '^\\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\\}$';
const strict = { additionalProperties: false } as const;

/** The arguments each step accepts. An agent runs only these steps, and only with arguments that validate. */
export const StepArgs = {
  stage: Type.Object(
    {
      package: {
        ...PackageRef,
        description: 'The package to stage into the package directory, and its SHA-256.',
      },
      size: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 2 ** 31 - 1,
          description: "The package's size in bytes (from the store).",
        }),
      ),
      fromStore: Type.Boolean({
        description:
          "true: download it from the server's package store (GET /agent/v1/packages/:sha256); false: it was staged by other means, only check it.",
      }),
    },
    strict,
  ),
  precheck: Type.Object(
    {
      expectedBuild: {
        ...BuildString,
        description: 'The build the plan was made from; another one fails the step.',
      },
      targetBuild: {
        ...BuildString,
        description: "The update's build; a server already on it fails as current.",
      },
      package: Type.Optional({
        ...PackageRef,
        description: 'The package to find staged and check, if given.',
      }),
      minFreeMb: Type.Integer({
        minimum: 0,
        maximum: 1_000_000,
        description: 'Free space the system drive needs, in MB.',
      }),
    },
    strict,
  ),
  'backup-owa': Type.Object({}, strict),
  'move-cms': Type.Object(
    {
      cms: netbiosName('The clustered mailbox server to move.'),
      targetNode: netbiosName('The node to move it to (an updated passive node).'),
      maxCopyQueueLength: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1_000_000,
          description:
            'CCR: the most log files a storage group copy may still have to copy before the move (default 10).',
        }),
      ),
      maxReplayQueueLength: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1_000_000,
          description:
            'CCR: the most log files a storage group copy may still have to replay before the move (default 100).',
        }),
      ),
    },
    strict,
  ),
  'move-cluster-group': Type.Object(
    { targetNode: netbiosName('The node to move the cluster group to.') },
    strict,
  ),
  'remove-interim-updates': Type.Object(
    {
      interimUpdates: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: 100,
        description: 'The interim updates to remove, as the inventory names them.',
      }),
    },
    strict,
  ),
  install: Type.Object(
    {
      package: {
        ...PackageRef,
        description: 'The package to install; its SHA-256 is checked before it runs.',
      },
      targetBuild: { ...BuildString, description: 'The build the server must be on afterwards.' },
      crlCheckOff: Type.Optional(
        Type.Boolean({
          description:
            'Turn the publisher certificate revocation check off for msiexec and put the previous setting back afterwards.',
        }),
      ),
      hooks: Type.Optional(
        Type.Object(
          {
            before: Type.Array(HookName, { maxItems: 10 }),
            after: Type.Array(HookName, { maxItems: 10 }),
          },
          {
            ...strict,
            description:
              "Hooks to run from the agent's hooks folder before msiexec (one that fails stops the step) and after it (always, whatever msiexec did).",
          },
        ),
      ),
    },
    strict,
  ),
  restart: Type.Object(
    {
      reason: Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Why the server restarts, for the trail.',
      }),
    },
    strict,
  ),
  verify: Type.Object(
    {
      targetBuild: { ...BuildString, description: 'The build the server must be on.' },
      remedyKb944752: Type.Boolean({
        description: 'Apply the KB 944752 remedy when managed services did not start, then start them.',
      }),
    },
    strict,
  ),
  'restore-owa': Type.Object({}, strict),
  uninstall: Type.Object(
    {
      productCode: Type.String({
        pattern: GUID,
        description: "Exchange 2007's Windows Installer product code.",
      }),
      kb: Type.String({ pattern: '^\\d{6,7}$', description: 'The KB number of the update to remove.' }),
      expectedBuild: {
        ...BuildString,
        description: 'The build recorded before the install: the server must be back on it.',
      },
    },
    strict,
  ),
} as const;

/** The arguments of one step, by step name. */
export type StepArgs = { [Step in keyof typeof StepArgs]: Static<(typeof StepArgs)[Step]> };

/** What a step found or changed, reported with its result. Every field is optional; steps fill what they know. */
export const StepDetails = Type.Object(
  {
    build: Type.Optional({
      ...BuildString,
      description:
        'The ExSetup.exe build once the step ran (precheck, install, verify, uninstall; the PowerShell driver also reports it from the OWA and interim-update steps). The server records it.',
    }),
    staged: Type.Optional(
      Type.Object(
        {
          bytes: Type.Integer({
            minimum: 0,
            description: 'Size of the verified package now in the package directory.',
          }),
          skipped: Type.Boolean({
            description: 'The verified file was already there: nothing was downloaded.',
          }),
          resumedFrom: Type.Integer({
            minimum: 0,
            description: 'Bytes of a partial file kept from a cut download.',
          }),
          path: Type.Optional(Type.String({ maxLength: 512, description: 'Where the package is.' })),
        },
        { ...strict, description: 'stage: what staging did.' },
      ),
    ),
    backupPath: Type.Optional(
      Type.String({ maxLength: 512, description: 'backup-owa, restore-owa: the folder of the OWA backup.' }),
    ),
    removed: Type.Optional(
      Type.Array(Type.String({ maxLength: 256 }), {
        maxItems: 100,
        description: 'remove-interim-updates: the interim updates it removed.',
      }),
    ),
    movedTo: Type.Optional(
      netbiosName('move-cms, move-cluster-group: the node the clustered mailbox server or group moved to.'),
    ),
    rebootRequired: Type.Optional(
      Type.Boolean({
        description:
          'precheck: Windows waits for a restart; install, uninstall, remove-interim-updates: the installer asks for one.',
      }),
    ),
    servicesStopped: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), {
        maxItems: 100,
        description: 'verify: the Exchange services that did not start (KB 944752).',
      }),
    ),
    servicesStarted: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), {
        maxItems: 100,
        description: 'verify: services that were stopped when it began and that it started.',
      }),
    ),
    remedyKb944752Applied: Type.Optional(
      Type.Boolean({
        description: 'verify: this run applied the KB 944752 remedy (generatePublisherEvidence off).',
      }),
    ),
    restartedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          "restart: when Windows booted again (the host's LastBootUpTime), after the restart it asked for.",
      }),
    ),
    crlCheck: Type.Optional(
      Type.Object(
        {
          previous: Type.String({
            maxLength: 32,
            description: 'The setting before the install (e.g. 0x23c00).',
          }),
          restored: Type.Boolean({ description: 'The previous setting was put back.' }),
        },
        { ...strict, description: 'install: the publisher revocation check it turned off and put back.' },
      ),
    ),
    hooksRun: Type.Optional(
      Type.Array(Type.String({ maxLength: 80 }), {
        maxItems: 20,
        description: 'install: the hooks it ran, as `before:NAME` and `after:NAME`, in order.',
      }),
    ),
    owaFiles: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000,
        description: 'backup-owa, restore-owa: how many customised OWA files it saved or put back.',
      }),
    ),
    remedyFiles: Type.Optional(
      Type.Array(Type.String({ maxLength: 512 }), {
        maxItems: 100,
        description: 'verify: the .exe.config files the KB 944752 remedy changed.',
      }),
    ),
    logPath: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'install, uninstall, remove-interim-updates: the Windows Installer log.',
      }),
    ),
  },
  strict,
);
export type StepDetails = Static<typeof StepDetails>;
