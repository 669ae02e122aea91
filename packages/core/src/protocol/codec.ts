import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { formatPath, schemaIssues } from '../schema/issues.js';
import { describeJsonTextProblem, jsonTextProblem } from '../schema/json-text.js';
import { withCanonicalBuilds } from './canonical.js';
import {
  type AgentMessage,
  AgentToServerMessages,
  PROTOCOL_VERSION,
  type ServerMessage,
  ServerToAgentMessages,
} from './messages.js';

/** Why a frame was refused; sent back to the peer in an ERROR message. */
export type ProtocolErrorCode =
  | 'PROTOCOL_TOO_LARGE'
  | 'PROTOCOL_INVALID_JSON'
  | 'PROTOCOL_VERSION_UNSUPPORTED'
  | 'PROTOCOL_UNKNOWN_TYPE'
  | 'PROTOCOL_INVALID_MESSAGE';

/** The outcome of decoding one frame: the typed message, or why it was refused. */
export type Decoded<Message> =
  | { readonly ok: true; readonly message: Message }
  | {
      readonly ok: false;
      readonly code: ProtocolErrorCode;
      readonly error: string;
      readonly type?: string;
      /** The command a refused message is about, when it names a well-formed one: its sender can be told. */
      readonly commandId?: string;
    };

/** Largest frame either side accepts, in characters. */
export const MAX_FRAME_CHARS = 256 * 1024;

type Catalog = Readonly<Record<string, TSchema>>;

function makeDecoder<Message>(
  catalog: Catalog,
  canonical: (message: Message) => Message = (message) => message,
): (frame: string) => Decoded<Message> {
  const validators = new Map<string, Validator>();
  const validatorFor = (type: string, schema: TSchema) => {
    let validator = validators.get(type);
    if (!validator) {
      validator = Compile(schema) as unknown as Validator;
      validators.set(type, validator);
    }
    return validator;
  };
  return (frame) => {
    if (frame.length > MAX_FRAME_CHARS)
      return {
        ok: false,
        code: 'PROTOCOL_TOO_LARGE',
        error: `frame of ${frame.length} characters exceeds ${MAX_FRAME_CHARS}`,
      };
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      return { ok: false, code: 'PROTOCOL_INVALID_JSON', error: 'frame is not valid JSON' };
    }
    // After the parse, so that the scan only ever reads valid JSON.
    const problem = jsonTextProblem(frame);
    if (problem)
      return { ok: false, code: 'PROTOCOL_INVALID_JSON', error: describeJsonTextProblem(problem, 'frame') };
    const head = readHead(value);
    if (head.version !== PROTOCOL_VERSION)
      return {
        ok: false,
        code: 'PROTOCOL_VERSION_UNSUPPORTED',
        error: `protocol version ${JSON.stringify(head.version)} is not supported; this peer speaks version ${PROTOCOL_VERSION}`,
      };
    const schema =
      typeof head.type === 'string' && Object.hasOwn(catalog, head.type) ? catalog[head.type] : undefined;
    if (!schema || typeof head.type !== 'string')
      return {
        ok: false,
        code: 'PROTOCOL_UNKNOWN_TYPE',
        error: `unknown message type ${JSON.stringify(head.type)}`,
      };
    if (!validatorFor(head.type, schema).Check(value)) {
      const first = schemaIssues(schema, value)[0];
      const where = first
        ? `${formatPath(first.path) || 'message'}: ${first.message}`
        : 'does not match its schema';
      const commandId = commandIdOf(value);
      return {
        ok: false,
        code: 'PROTOCOL_INVALID_MESSAGE',
        error: `${head.type} ${where}`,
        type: head.type,
        ...(commandId ? { commandId } : {}),
      };
    }
    return { ok: true, message: canonical(value as Message) };
  };
}

const COMMAND_ID = /^[A-Za-z0-9:_-]{1,128}$/;

function commandIdOf(value: unknown): string | undefined {
  const payload = (value as { payload?: unknown }).payload;
  if (payload === null || typeof payload !== 'object') return undefined;
  const commandId = (payload as Record<string, unknown>).commandId;
  return typeof commandId === 'string' && COMMAND_ID.test(commandId) ? commandId : undefined;
}

function readHead(value: unknown): { version?: unknown; type?: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const record = value as Record<string, unknown>;
  return { version: record.version, type: record.type };
}

/** Decodes and validates a frame from an agent, its builds in the canonical form (`8.1.340.1`). Never throws. */
export const decodeAgentMessage: (frame: string) => Decoded<AgentMessage> = makeDecoder<AgentMessage>(
  AgentToServerMessages,
  withCanonicalBuilds,
);

/** Decodes and validates a frame from the server. Never throws. */
export const decodeServerMessage: (frame: string) => Decoded<ServerMessage> =
  makeDecoder<ServerMessage>(ServerToAgentMessages);

/** Serialises a message for the wire. */
export function encodeMessage(message: AgentMessage | ServerMessage): string {
  return JSON.stringify(message);
}
