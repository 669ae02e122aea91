import Type, { type Static } from 'typebox';
import { BuildString, netbiosName } from '../inventory/schema.js';

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
  precheck: Type.Object(
    {
      expectedBuild: BuildString,
      targetBuild: BuildString,
      package: Type.Optional(PackageRef),
      minFreeMb: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    },
    strict,
  ),
  'backup-owa': Type.Object({}, strict),
  'move-cms': Type.Object(
    { cms: netbiosName('Clustered mailbox server.'), targetNode: netbiosName('Node to move it to.') },
    strict,
  ),
  'move-cluster-group': Type.Object(
    { targetNode: netbiosName('Node to move the cluster group to.') },
    strict,
  ),
  'remove-interim-updates': Type.Object(
    {
      interimUpdates: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: 100,
      }),
    },
    strict,
  ),
  install: Type.Object({ package: PackageRef, targetBuild: BuildString }, strict),
  verify: Type.Object({ targetBuild: BuildString, remedyKb944752: Type.Boolean() }, strict),
  'restore-owa': Type.Object({}, strict),
  uninstall: Type.Object(
    {
      productCode: Type.String({ pattern: GUID }),
      kb: Type.String({ pattern: '^\\d{6,7}$' }),
      expectedBuild: BuildString,
    },
    strict,
  ),
} as const;

/** The arguments of one step, by step name. */
export type StepArgs = { [Step in keyof typeof StepArgs]: Static<(typeof StepArgs)[Step]> };

/** What a step found or changed, reported with its result. Every field is optional; steps fill what they know. */
export const StepDetails = Type.Object(
  {
    build: Type.Optional(BuildString),
    backupPath: Type.Optional(Type.String({ maxLength: 512 })),
    removed: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
    movedTo: Type.Optional(netbiosName('Node the clustered mailbox server or group moved to.')),
    rebootRequired: Type.Optional(Type.Boolean()),
    servicesStopped: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 })),
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
    logPath: Type.Optional(Type.String({ maxLength: 512 })),
  },
  strict,
);
export type StepDetails = Static<typeof StepDetails>;
