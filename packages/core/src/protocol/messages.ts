import Type, { type Static, type TSchema } from 'typebox';
import { InventoryServer, netbiosName } from '../inventory/schema.js';
import { PlanStep } from '../planner/schema.js';
import { StepDetails } from './steps.js';

/** The protocol version this code speaks; a peer with another version is refused with a clear error. */
export const PROTOCOL_VERSION = 1;

const strict = { additionalProperties: false } as const;
const CommandId = Type.String({
  pattern: '^[A-Za-z0-9:_-]{1,128}$',
  description: 'Id of a command, unique per rollout step.',
});
const IsoTime = Type.String({ format: 'date-time', maxLength: 40 });
const ErrorInfo = Type.Object(
  { code: Type.String({ pattern: '^[A-Z0-9_]{1,64}$' }), message: Type.String({ maxLength: 2000 }) },
  strict,
);

function envelope<Name extends string, Payload extends TSchema>(type: Name, payload: Payload) {
  return Type.Object({ version: Type.Literal(PROTOCOL_VERSION), type: Type.Literal(type), payload }, strict);
}

/** Facts about the host that are not part of the inventory contract but matter before an install. */
export const HostFacts = Type.Object(
  {
    architecture: Type.Optional(Type.Enum(['x64', 'x86'])),
    pendingReboot: Type.Optional(Type.Boolean()),
    systemDriveFreeMb: Type.Optional(Type.Integer({ minimum: 0 })),
    os: Type.Optional(Type.String({ maxLength: 128 })),
    /** The agent's session holds the Administrators token (UAC elevation on Windows Server 2008). */
    elevated: Type.Optional(Type.Boolean()),
    /** .NET Framework 2.0 SP1 or later: the KB 944752 remedy (generatePublisherEvidence) needs it. */
    dotNet20Sp1: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type HostFacts = Static<typeof HostFacts>;

/** Every message an agent sends, by type. */
export const AgentToServerMessages = {
  HELLO: envelope(
    'HELLO',
    Type.Object(
      {
        name: netbiosName('The server this agent speaks for.'),
        agentVersion: Type.String({ maxLength: 64 }),
        driver: Type.Enum(['powershell', 'simulated']),
        mode: Type.Optional(Type.Enum(['local', 'remote'])),
      },
      strict,
    ),
  ),
  INVENTORY: envelope(
    'INVENTORY',
    Type.Object({ server: InventoryServer, host: HostFacts, collectedAt: IsoTime }, strict),
  ),
  HEARTBEAT: envelope(
    'HEARTBEAT',
    Type.Object({ sentAt: IsoTime, runningCommandId: Type.Optional(CommandId) }, strict),
  ),
  COMMAND_ACK: envelope('COMMAND_ACK', Type.Object({ commandId: CommandId }, strict)),
  STEP_PROGRESS: envelope(
    'STEP_PROGRESS',
    Type.Object(
      {
        commandId: CommandId,
        step: PlanStep,
        percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        message: Type.String({ maxLength: 500 }),
      },
      strict,
    ),
  ),
  STEP_RESULT: envelope(
    'STEP_RESULT',
    Type.Object(
      {
        commandId: CommandId,
        step: PlanStep,
        outcome: Type.Enum(['succeeded', 'failed']),
        error: Type.Optional(ErrorInfo),
        details: StepDetails,
        finishedAt: IsoTime,
      },
      strict,
    ),
  ),
} as const;

/** Every message the server sends, by type. */
export const ServerToAgentMessages = {
  WELCOME: envelope(
    'WELCOME',
    Type.Object(
      {
        name: Type.String(),
        serverVersion: Type.String({ maxLength: 64 }),
        heartbeatIntervalMs: Type.Integer({ minimum: 100 }),
        inventoryIntervalMs: Type.Integer({ minimum: 1000 }),
      },
      strict,
    ),
  ),
  COMMAND: envelope(
    'COMMAND',
    Type.Object(
      {
        commandId: CommandId,
        rolloutId: Type.String({ maxLength: 128 }),
        step: PlanStep,
        args: Type.Record(Type.String(), Type.Unknown()),
      },
      strict,
    ),
  ),
  CANCEL: envelope(
    'CANCEL',
    Type.Object({ commandId: CommandId, reason: Type.String({ maxLength: 500 }) }, strict),
  ),
  ERROR: envelope(
    'ERROR',
    Type.Object(
      { code: Type.String(), message: Type.String(), inReplyTo: Type.Optional(Type.String()) },
      strict,
    ),
  ),
} as const;

/** The type names of the agent's messages. */
export type AgentMessageType = keyof typeof AgentToServerMessages;
/** The type names of the server's messages. */
export type ServerMessageType = keyof typeof ServerToAgentMessages;

/** An agent message of a given type (or any type). */
export type AgentMessage<T extends AgentMessageType = AgentMessageType> = {
  [K in T]: Static<(typeof AgentToServerMessages)[K]>;
}[T];
/** A server message of a given type (or any type). */
export type ServerMessage<T extends ServerMessageType = ServerMessageType> = {
  [K in T]: Static<(typeof ServerToAgentMessages)[K]>;
}[T];
