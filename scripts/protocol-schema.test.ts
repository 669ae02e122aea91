import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_SCHEMA_DOC, protocolSchemaText } from './protocol-schema.js';

// The fuzzers judge agent messages by this file, not by the decoder they test: a schema loosened in the code shows
// here as a failing test, then as a reviewed change of the documented contract.
describe('docs/protocol.schema.json', () => {
  it('is the message catalog the server checks (regenerate: npx vite-node scripts/write-protocol-schema.ts)', () => {
    expect(readFileSync(PROTOCOL_SCHEMA_DOC, 'utf8')).toBe(protocolSchemaText());
  });
});
