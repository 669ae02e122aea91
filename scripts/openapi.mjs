// Writes docs/openapi.json (the server's OpenAPI document) and docs/api.md (an index of it), from the code.
// Needs a Redis at REDIS_URL (default redis://127.0.0.1:6379); it writes nothing there but a subscription.
import { writeFileSync } from 'node:fs';
import { buildServer, connectRedis, loadConfig } from '@exrollout/server';
import pino from 'pino';

const config = loadConfig(
  { REDIS_URL: process.env.REDIS_URL },
  { port: 0, redisPrefix: 'openapi-doc:', logLevel: 'silent' },
);
const redis = await connectRedis(config.redisUrl);
const server = await buildServer({ config, logger: pino({ level: 'silent' }), redis });
await server.app.ready();
const document = server.app.swagger();
await server.app.close();
await redis.quit();

writeFileSync(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
const rows = [];
for (const [path, methods] of Object.entries(document.paths ?? {}))
  for (const [method, operation] of Object.entries(methods))
    rows.push(
      `| \`${method.toUpperCase()} ${path}\` | \`${operation.operationId}\` | ${operation.tags?.join(', ') ?? ''} | ${operation.summary ?? ''} | ${errorStatuses(operation)} |`,
    );
function errorStatuses(operation) {
  return Object.keys(operation.responses ?? {})
    .filter((status) => Number(status) >= 400)
    .join(', ');
}

writeFileSync(
  new URL('../docs/api.md', import.meta.url),
  `# REST API\n\nGenerated from the server's OpenAPI document by \`node scripts/openapi.mjs\`; the full document is\n[openapi.json](openapi.json), and a running server serves it at \`/docs/json\` with a UI at \`/docs\`. Roles,\nerrors and shapes: [server.md](server.md), [rollouts.md](rollouts.md), [rollback.md](rollback.md), [errors.md](errors.md).\nEvery error answer is \`{ "code", "message" }\`; each operation lists the statuses it may answer with one.\n\`npm run lint:openapi\` lints the document with Redocly CLI (0 errors, 0 warnings), and\n\`packages/server/test/openapi-client.int.test.ts\` type-checks a client generated from it (openapi-typescript)\nagainst the server's real answers through a rollout's whole life.\n\n| route | operationId | tag | what | errors |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
console.log(`docs/openapi.json and docs/api.md: ${rows.length} operations`);
