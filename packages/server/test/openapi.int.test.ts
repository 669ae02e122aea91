import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

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

it('passes Redocly CLI lint (its recommended rules) with no error and no warning', () => {
  const lint = spawnSync(`${ROOT}node_modules/.bin/redocly`, ['lint', 'docs/openapi.json', '--format=json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  const report = JSON.parse(lint.stdout) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string }[];
  };
  expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  expect(lint.status).toBe(0);
}, 60_000);
