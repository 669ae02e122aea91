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
const IsoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });
const ErrorInfo = Type.Object(
  {
    code: Type.String({
      pattern: '^[A-Z0-9_]{1,64}$',
      description:
        "A step code (INSTALL_FAILED, ...), a driver's AGENT_ERR_DRIVER_* code, AGENT_BUSY, INVALID_ARGUMENTS or AGENT_ERROR.",
    }),
    message: Type.String({ maxLength: 2000, description: 'What went wrong, for people.' }),
  },
  { ...strict, description: 'Why the step failed; present when `outcome` is `failed`.' },
);

function envelope<Name extends string, Payload extends TSchema>(type: Name, payload: Payload) {
  return Type.Object({ version: Type.Literal(PROTOCOL_VERSION), type: Type.Literal(type), payload }, strict);
}

/** Facts about the host that are not part of the inventory contract but matter before an install. */
export const HostFacts = Type.Object(
  {
    architecture: Type.Optional(
      Type.Enum(['x64', 'x86'], { description: 'Processor architecture: which package the host takes.' }),
    ),
    pendingReboot: Type.Optional(
      Type.Boolean({ description: 'Windows waits for a restart (the precheck then refuses to install).' }),
    ),
    systemDriveFreeMb: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Free space on the system drive, in MB.' }),
    ),
    os: Type.Optional(Type.String({ maxLength: 128, description: 'The Windows version, for people.' })),
    elevated: Type.Optional(
      Type.Boolean({
        description:
          "The agent's session holds the Administrators token (UAC elevation on Windows Server 2008).",
      }),
    ),
    dotNet20Sp1: Type.Optional(
      Type.Boolean({
        description:
          '.NET Framework 2.0 SP1 or later: the KB 944752 remedy (generatePublisherEvidence) needs it.',
      }),
    ),
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
        name: netbiosName('The server this agent speaks for: the name its credential was issued for.'),
        agentVersion: Type.String({ maxLength: 64, description: "The agent's version, for logs." }),
        driver: Type.Enum(['powershell', 'simulated'], {
          description: 'The host driver that runs the steps.',
        }),
        mode: Type.Optional(
          Type.Enum(['local', 'remote'], {
            description:
              'PowerShell driver: on the Exchange server itself, or from a management host over WinRM.',
          }),
        ),
      },
      strict,
    ),
  ),
  INVENTORY: envelope(
    'INVENTORY',
    Type.Object(
      {
        server: {
          ...InventoryServer,
          description:
            'This server, in the inventory format; it must also pass the per-server consistency rules.',
        },
        host: { ...HostFacts, description: 'Facts outside the inventory contract.' },
        collectedAt: IsoTime('When the agent read the host.'),
      },
      strict,
    ),
  ),
  HEARTBEAT: envelope(
    'HEARTBEAT',
    Type.Object(
      {
        sentAt: IsoTime("The agent's clock, for logs: liveness is judged by the server's clock."),
        runningCommandId: Type.Optional({ ...CommandId, description: 'The command running now, if any.' }),
      },
      strict,
    ),
  ),
  COMMAND_ACK: envelope('COMMAND_ACK', Type.Object({ commandId: CommandId }, strict)),
  STEP_PROGRESS: envelope(
    'STEP_PROGRESS',
    Type.Object(
      {
        commandId: CommandId,
        step: { ...PlanStep, description: "The command's step." },
        percent: Type.Optional(
          Type.Integer({ minimum: 0, maximum: 100, description: 'How far the step is.' }),
        ),
        message: Type.String({ maxLength: 500, description: 'What the step is doing, for people.' }),
      },
      strict,
    ),
  ),
  STEP_RESULT: envelope(
    'STEP_RESULT',
    Type.Object(
      {
        commandId: CommandId,
        step: { ...PlanStep, description: "The command's step." },
        outcome: Type.Enum(['succeeded', 'failed'], {
          description: 'failed comes with `error`; both with what the step learnt in `details`.',
        }),
        error: Type.Optional(ErrorInfo),
        details: {
          ...StepDetails,
          description: 'What the step found or changed (see Step details); {} if nothing.',
        },
        finishedAt: IsoTime('When the step ended.'),
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
        name: Type.String({ description: 'The server name the session is for, as the credential has it.' }),
        serverVersion: Type.String({ maxLength: 64, description: "The server's version, for logs." }),
        heartbeatIntervalMs: Type.Integer({ minimum: 100, description: 'How often to send HEARTBEAT.' }),
        inventoryIntervalMs: Type.Integer({
          minimum: 1000,
          description: 'How often to send INVENTORY unasked (also at once and on every change).',
        }),
      },
      strict,
    ),
  ),
  COMMAND: envelope(
    'COMMAND',
    Type.Object(
      {
        commandId: CommandId,
        rolloutId: Type.String({
          maxLength: 128,
          description: 'The rollout (or rollback) the step is part of.',
        }),
        step: { ...PlanStep, description: 'The step to run.' },
        args: Type.Record(Type.String(), Type.Unknown(), {
          description:
            "The step's arguments: the agent checks them against StepArgs[step] (see Command arguments).",
        }),
      },
      strict,
    ),
  ),
  CANCEL: envelope(
    'CANCEL',
    Type.Object(
      {
        commandId: { ...CommandId, description: 'The running command to stop.' },
        reason: Type.String({ maxLength: 500, description: 'Why, for logs.' }),
      },
      strict,
    ),
  ),
  ERROR: envelope(
    'ERROR',
    Type.Object(
      {
        code: Type.String({ description: 'One of the refusal codes (see Refusals).' }),
        message: Type.String({ description: 'What was wrong with the frame; names the field.' }),
        inReplyTo: Type.Optional(Type.String({ description: 'Reserved; this server does not send it yet.' })),
      },
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
