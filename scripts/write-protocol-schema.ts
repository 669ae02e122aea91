// Writes docs/protocol.schema.json from the message catalog: `npm run build && npx vite-node scripts/write-protocol-schema.ts`.
import { writeFileSync } from 'node:fs';
import { PROTOCOL_SCHEMA_DOC, protocolSchemaText } from './protocol-schema.js';

writeFileSync(PROTOCOL_SCHEMA_DOC, protocolSchemaText());
console.log('docs/protocol.schema.json written');
