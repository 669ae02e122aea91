import Type, { type Static } from 'typebox';
import { EXCHANGE_2007_LINES } from '../exchange/releases.js';
import { NETBIOS_NAME_PATTERN } from '../inventory/computer-name.js';
import { EXCHANGE_ROLES } from '../inventory/roles.js';
import { BuildString } from '../inventory/schema.js';
import { STEP_NAMES, WAVE_NAMES } from './names.js';

/** One step of a server's plan. */
export const PlanStep = Type.Enum(STEP_NAMES);
export type PlanStep = Static<typeof PlanStep>;

/** The name of a wave. */
export const WaveName = Type.Enum(WAVE_NAMES);
export type WaveName = Static<typeof WaveName>;

/** Why a server needs nothing from this rollout. */
export const SKIP_CODES = ['ALREADY_CURRENT', 'NOT_SELECTED'] as const;

/** Why a server cannot take this update. `NOT_<line>`: on an older line than the update requires. */
export const EXCLUSION_CODES = [
  ...EXCHANGE_2007_LINES.map(({ line }) => `NOT_${line}` as const),
  'NEWER_SERVICE_PACK',
  'UNKNOWN_BUILD',
  'POWERSHELL_1',
  'POWERSHELL_3_OR_LATER',
  'CLUSTER_PEER_EXCLUDED',
] as const;

/** A skip code. */
export const SkipCode = Type.Enum(SKIP_CODES);
export type SkipCode = Static<typeof SkipCode>;

/** An exclusion code. */
export const ExclusionCode = Type.Enum(EXCLUSION_CODES);
export type ExclusionCode = Static<typeof ExclusionCode>;

/** A server in a wave: its build before the update, the steps it runs in order, and why it is in its wave. */
export const PlannedServer = Type.Object(
  {
    name: Type.String({ pattern: NETBIOS_NAME_PATTERN }),
    from: BuildString,
    steps: Type.Array(PlanStep, { minItems: 1 }),
    cluster: Type.Optional(
      Type.String({ description: 'Windows cluster name, for clustered mailbox server nodes.' }),
    ),
    waveReason: Type.Optional(
      Type.String({
        description:
          'Client Access servers only: why Internet-facing or internal, e.g. "Internet-facing: OWA ExternalUrl set" or "internal: pinned by noc".',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PlannedServer = Static<typeof PlannedServer>;

/** A wave: servers in execution order. */
export const PlanWave = Type.Object(
  { name: WaveName, servers: Type.Array(PlannedServer) },
  { additionalProperties: false },
);
export type PlanWave = Static<typeof PlanWave>;

/** A server the plan leaves out, with a code to match on and a sentence to act on. */
export const LeftOutServer = <Code extends typeof SkipCode | typeof ExclusionCode>(code: Code) =>
  Type.Object({ name: Type.String(), code, reason: Type.String() }, { additionalProperties: false });

/** A skipped server: nothing to do (already current, or not selected). */
export const SkippedServer = LeftOutServer(SkipCode);
export type SkippedServer = Static<typeof SkippedServer>;

/** An excluded server: the update cannot be applied to it as it is. */
export const ExcludedServer = LeftOutServer(ExclusionCode);
export type ExcludedServer = Static<typeof ExcludedServer>;

/** The rollout plan: the update, three waves in order, and every server left out with its reason. */
export const RolloutPlan = Type.Object(
  {
    update: Type.Object({ kb: Type.String(), build: BuildString }, { additionalProperties: false }),
    waves: Type.Array(PlanWave, { minItems: WAVE_NAMES.length, maxItems: WAVE_NAMES.length }),
    skipped: Type.Array(SkippedServer),
    excluded: Type.Array(ExcludedServer),
  },
  { additionalProperties: false },
);
export type RolloutPlan = Static<typeof RolloutPlan>;

/** Which servers a rollout covers. Each given list narrows it (AND); within a list any entry matches (OR). */
export const PlanSelection = Type.Object(
  {
    names: Type.Optional(Type.Array(Type.String({ pattern: NETBIOS_NAME_PATTERN }), { minItems: 1 })),
    sites: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    roles: Type.Optional(Type.Array(Type.Enum(EXCHANGE_ROLES), { minItems: 1 })),
  },
  { additionalProperties: false },
);
export type PlanSelection = Static<typeof PlanSelection>;

/**
 * An operator's pin of a Client Access server's Internet-facing flag: the planner uses it instead of what the
 * server's agent reports, so that a CAS the detection misjudges still goes to the right wave.
 */
export const InternetFacingPin = Type.Object(
  {
    name: Type.String({ pattern: NETBIOS_NAME_PATTERN }),
    internetFacing: Type.Boolean({ description: 'The flag the planner uses for this server.' }),
    pinnedBy: Type.String({ minLength: 1, description: 'The name of the operator token that pinned it.' }),
    pinnedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why, as the operator gave it.' })),
  },
  { additionalProperties: false },
);
export type InternetFacingPin = Static<typeof InternetFacingPin>;

/** What the planner reads of a pin. */
export type PlanPin = Pick<InternetFacingPin, 'name' | 'internetFacing' | 'pinnedBy'>;

/** What the planner needs from a rollout policy. */
export interface PlanPolicy {
  /** Restrict the rollout; a cluster is selected whole when any of its nodes is. @default all servers */
  readonly selection?: PlanSelection;
}
