import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet } from '@exrollout/fleet-sim';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
import { fleetFor, SHA, sim, until } from './fleet-helpers.js';
import { eventually, startTestServer, type TestServer } from './helpers.js';

// A client generated from docs/openapi.json (openapi-typescript) must type-check against what the server really
// answers, through a rollout's whole life and its refusals: each answer is written out as a typed constant of the
// generated client's type for its operation and status, and the TypeScript compiler checks them all (strict,
// excess properties included). An answer the document does not describe fails to compile.

const DOCUMENT = new URL('../../../docs/openapi.json', import.meta.url);

interface Answer {
  readonly path: string;
  readonly method: 'get' | 'post' | 'delete';
  readonly status: number;
  readonly body: unknown;
}

let server: TestServer | undefined;
let fleet: Fleet | undefined;
let dir: string | undefined;
afterAll(async () => {
  await fleet?.stop();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Calls the API and records the answer under its operation's path template. */
function recorder(s: TestServer, answers: Answer[]) {
  return async (template: string, method: Answer['method'], path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${s.url}${path}`, {
      method: method.toUpperCase(),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const answer = { path: template, method, status: response.status, body: await response.json() };
    answers.push(answer);
    return answer as Answer & { body: Record<string, unknown> };
  };
}

async function rolloutLife(s: TestServer, answers: Answer[]): Promise<void> {
  const call = recorder(s, answers);
  const viewer = (
    await call('/api/v1/tokens', 'post', '/api/v1/tokens', s.admin, { name: 'noc', role: 'viewer' })
  ).body;
  await call('/api/v1/tokens', 'get', '/api/v1/tokens', s.admin);
  await call('/api/v1/me', 'get', '/api/v1/me', String(viewer.token));
  const enrolment = (await call('/api/v1/enrolment-tokens', 'post', '/api/v1/enrolment-tokens', s.admin, {}))
    .body;
  await call('/agent/v1/enrol', 'post', '/agent/v1/enrol', undefined, {
    token: enrolment.token,
    name: 'SPARE01',
  });
  await call('/agent/v1/enrol', 'post', '/agent/v1/enrol', undefined, {
    token: enrolment.token,
    name: 'SPARE02',
  });
  await call('/api/v1/agents', 'get', '/api/v1/agents', s.admin);
  await call('/api/v1/agents/{name}', 'delete', '/api/v1/agents/SPARE01', s.admin);
  await call('/api/v1/servers', 'get', '/api/v1/servers?role=ClientAccess', s.admin);
  await call('/api/v1/servers/{name}', 'get', '/api/v1/servers/CAS01', s.admin);
  await call('/api/v1/servers/{name}', 'get', '/api/v1/servers/NOPE01', s.admin);
  await call('/api/v1/compliance', 'get', '/api/v1/compliance', s.admin);
  await call('/api/v1/plans', 'post', '/api/v1/plans', s.admin, {});
  await call('/api/v1/plans', 'post', '/api/v1/plans', s.admin, { update: 'KB1' });
  await call('/api/v1/rollouts', 'post', '/api/v1/rollouts', String(viewer.token), { policy: {} });
  await call('/api/v1/rollouts', 'post', '/api/v1/rollouts', s.admin, { policy: { concurrency: 0 } });
  const created = await call('/api/v1/rollouts', 'post', '/api/v1/rollouts', s.admin, {
    policy: { packageSha256: { x64: SHA }, concurrency: 2 },
  });
  const id = String(created.body.id);
  await call('/api/v1/rollouts', 'get', '/api/v1/rollouts', s.admin);
  const action = '/api/v1/rollouts/{id}/{action}';
  await call(action, 'post', `/api/v1/rollouts/${id}/resume`, s.admin);
  await call(action, 'post', `/api/v1/rollouts/${id}/start`, s.admin, { reason: 'patch Tuesday' });
  for (;;) {
    const view = await until(s, id, ['awaiting-approval', 'completed', 'halted'], 30_000);
    if (view.state !== 'awaiting-approval') break;
    await call(action, 'post', `/api/v1/rollouts/${id}/approve`, s.admin, { reason: 'wave looks good' });
  }
  await call('/api/v1/rollouts/{id}', 'get', `/api/v1/rollouts/${id}`, s.admin);
  await call('/api/v1/rollouts/{id}', 'get', '/api/v1/rollouts/r-0000000000', s.admin);
  const server = '/api/v1/rollouts/{id}/servers/{name}/{action}';
  await call(server, 'post', `/api/v1/rollouts/${id}/servers/HUB01/retry`, s.admin, null);
  await call(
    '/api/v1/rollouts/{id}/servers/{name}/rollback',
    'post',
    `/api/v1/rollouts/${id}/servers/HUB01/rollback`,
    s.admin,
    {
      reason: 'one first',
    },
  );
  await until(s, id, ['completed'], 30_000);
  await call('/api/v1/rollouts/{id}/rollback', 'post', `/api/v1/rollouts/${id}/rollback`, s.admin, {
    reason: 'undo',
  });
  await eventually(
    async () => (await until(s, id, ['rolled-back', 'completed'], 30_000)).state === 'rolled-back',
    30_000,
  );
  await call('/api/v1/rollouts/{id}/rollback', 'post', `/api/v1/rollouts/${id}/rollback`, s.admin, {
    reason: 'again',
  });
  await call('/api/v1/rollouts/{id}/events', 'get', `/api/v1/rollouts/${id}/events`, s.admin);
  await call('/api/v1/rollouts/{id}/events', 'get', `/api/v1/rollouts/${id}/events?after=bad`, s.admin);
  await call('/api/v1/tokens/{id}', 'delete', `/api/v1/tokens/${String(viewer.id)}`, s.admin);
  await call('/api/v1/me', 'get', '/api/v1/me', String(viewer.token));
}

/** Each answer as a constant of the generated client's type for its operation and status. */
function typedAnswers(answers: readonly Answer[]): string {
  const lines = answers.map(
    (answer, i) =>
      `export const answer${i}: paths[${JSON.stringify(answer.path)}][${JSON.stringify(answer.method)}]['responses'][${answer.status}]['content']['application/json'] = ${JSON.stringify(answer.body)};`,
  );
  return `import type { paths } from './api.js';\n\n${lines.join('\n')}\n`;
}

function compile(file: string): string[] {
  const program = ts.createProgram({
    rootNames: [file],
    options: {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
      skipLibCheck: true,
    },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 600));
}

it("type-checks the generated client against the real answers of a rollout's whole life", async () => {
  server = await startTestServer({ heartbeatIntervalMs: 300, offlineAfterMs: 1500 });
  fleet = await fleetFor(server, {
    servers: [sim('CAS01', ['ClientAccess'], { internetFacing: true }), sim('HUB01', ['HubTransport'])],
  });
  const answers: Answer[] = [];
  await rolloutLife(server, answers);
  const statuses = new Set(answers.map((answer) => answer.status));
  expect([...statuses].sort()).toEqual([200, 201, 400, 401, 403, 404, 409]);

  dir = await mkdtemp(join(tmpdir(), 'exr-openapi-client-'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  await writeFile(join(dir, 'api.d.ts'), astToString(await openapiTS(DOCUMENT)));
  await writeFile(join(dir, 'answers.ts'), typedAnswers(answers));
  expect(compile(join(dir, 'answers.ts'))).toEqual([]);
  console.log(
    `openapi client: ${answers.length} real answers of ${new Set(answers.map((a) => `${a.method} ${a.path}`)).size} operations type-check`,
  );
}, 120_000);
