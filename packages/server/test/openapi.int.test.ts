import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

it('docs/openapi.json is the document the server serves (regenerate it with node scripts/openapi.mjs)', async () => {
  const committed: unknown = JSON.parse(
    await readFile(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'),
  );
  const served: unknown = await (await fetch(`${server.url}/docs/json`)).json();
  expect(served).toEqual(committed);
});
