import { AgentToServerMessages } from '@exrollout/core';

/** docs/protocol.schema.json: the JSON Schema of every message an agent sends, as the server checks it. */
export const PROTOCOL_SCHEMA_DOC = new URL('../docs/protocol.schema.json', import.meta.url);

/** The file's text for the message catalog as it is now (TypeBox schemas are JSON Schema; Symbols drop out). */
export function protocolSchemaText(): string {
  return `${JSON.stringify({ agentToServer: AgentToServerMessages }, null, 2)}\n`;
}
