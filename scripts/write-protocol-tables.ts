// Writes the generated tables into docs/protocol.md: `npm run build && npx vite-node scripts/write-protocol-tables.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { PROTOCOL_DOC, protocolTables, withTables } from './protocol-tables.js';

writeFileSync(PROTOCOL_DOC, withTables(readFileSync(PROTOCOL_DOC, 'utf8'), protocolTables()));
console.log('docs/protocol.md: tables written');
