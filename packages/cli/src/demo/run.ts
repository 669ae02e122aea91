import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@exrollout/agent';
import { type Fleet, generateFleet, parseScenario, type Scenario, startFleet } from '@exrollout/fleet-sim';
import {
  buildServer,
  connectRedis,
  deleteKeysWithPrefix,
  type ExrolloutServer,
  loadConfig,
} from '@exrollout/server';
import pino from 'pino';
import { rolloutExitCode } from '../commands/outcome.js';
import { API_EXIT, CliError, EXIT } from '../errors.js';
import type { Output } from '../io.js';
import { failureLines } from '../render/rollouts.js';
import { type ProgressRollout, progressLines } from './progress.js';
import { type DemoRedis, ensureRedis } from './redis.js';

/** Options of `exrollout demo`. */
export interface DemoOptions {
  readonly servers?: number;
  readonly scenario?: string;
  readonly installSeconds?: number;
  readonly concurrency: number;
  readonly untilDone: boolean;
  readonly thenRollback: boolean;
  readonly json: boolean;
  readonly port: number;
}

const DEFAULT_SCENARIO = fileURLToPath(new URL('../../../../examples/demo-fleet.json', import.meta.url));
// The simulated hosts accept any package; the demo names one so that the policy is complete.
const DEMO_SHA256 = createHash('sha256').update('exrollout demo package').digest('hex');
const FINAL = new Set(['completed', 'completed-with-failures', 'aborted', 'halted', 'rolled-back']);

/** Runs the demo: Redis, a server, a simulated fleet, and a KB959241 rollout watched live. Returns the exit code. */
export async function runDemo(options: DemoOptions, out: Output): Promise<number> {
  const say = (line: string) => (options.json ? out.stderr : out.stdout).write(`${line}\n`);
  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', say);
  const stack: (() => Promise<void>)[] = [() => redis.stop()];
  try {
    const { server, url, admin } = await startDemoServer(redis, options, stack);
    const scenario = await loadScenario(options);
    say(`server ${url} (dashboard ${url}/, API ${url}/docs); admin token: ${admin}`);
    const fleet = await startDemoFleet(server, url, admin, scenario, say);
    stack.push(() => fleet.stop());
    const id = await createAndStart(server, options);
    say(`rollout ${id} of KB959241 started over ${scenario.servers.length} simulated servers`);
    let final = await watch(server, id, options, out);
    for (const line of failureLines(final)) say(line);
    const rollBack = options.thenRollback && ['completed', 'completed-with-failures'].includes(final.state);
    if (rollBack) {
      await server.engine.rollback(id, { kind: 'all' }, 'demo', 'demo --then-rollback');
      say(`rolling ${id} back`);
      final = await watch(server, id, options, out);
    }
    if (options.json) out.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
    if (!options.untilDone) await holdOpen(url, admin, say);
    // The exit code of `rollouts watch`; a rollback that did not bring every server back stopped short (3).
    if (rollBack) return final.state === 'rolled-back' ? EXIT.OK : API_EXIT.REFUSED;
    return rolloutExitCode(final.state);
  } finally {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  }
}

async function startDemoServer(redis: DemoRedis, options: DemoOptions, stack: (() => Promise<void>)[]) {
  const prefix = `demo-${randomUUID().slice(0, 8)}:`;
  const config = loadConfig(
    { REDIS_URL: redis.url },
    {
      port: options.port,
      redisPrefix: prefix,
      logLevel: 'warn',
      heartbeatIntervalMs: 2000,
      offlineAfterMs: 6000,
      jobLockMs: 5000,
    },
  );
  const client = await connectRedis(config.redisUrl);
  const server: ExrolloutServer = await buildServer({
    config,
    logger: pino({ level: config.logLevel }),
    redis: client,
  });
  const url = await server.app
    .listen({ host: '127.0.0.1', port: options.port })
    .catch(() => server.app.listen({ host: '127.0.0.1', port: 0 }));
  stack.push(async () => {
    await server.app.close();
    if (!redis.private) await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  });
  const admin = (await server.tokens.createOperatorToken('demo-admin', 'admin')).token;
  return { server, url, admin };
}

async function loadScenario(options: DemoOptions): Promise<Scenario> {
  let scenario: Scenario;
  if (options.servers !== undefined && options.scenario === undefined)
    scenario = generateFleet({ count: options.servers, seed: 7 });
  else {
    const path = options.scenario ?? DEFAULT_SCENARIO;
    scenario = parseScenario(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
  }
  const installSeconds = options.installSeconds ?? (options.untilDone ? 0.5 : 3);
  return {
    servers: scenario.servers.map((server) => ({
      ...server,
      behaviour: { installSeconds, stepSeconds: Math.min(0.2, installSeconds / 10), ...server.behaviour },
    })),
  };
}

async function startDemoFleet(
  server: ExrolloutServer,
  url: string,
  admin: string,
  scenario: Scenario,
  say: (line: string) => void,
): Promise<Fleet> {
  const response = await fetch(`${url}/api/v1/enrolment-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ uses: scenario.servers.length }),
  });
  const { token } = (await response.json()) as { token: string };
  const fleet = await startFleet({
    serverUrl: url,
    scenario,
    enrolToken: token,
    logger: silentLogger,
    concurrency: 100,
    reconnect: { baseMs: 200, maxMs: 2000 },
  });
  await fleet.waitConnected(60_000);
  for (let i = 0; i < 200 && (await server.inventory.list()).length < scenario.servers.length; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  say(`${scenario.servers.length} simulated agents enrolled and reporting`);
  return fleet;
}

async function createAndStart(server: ExrolloutServer, options: DemoOptions): Promise<string> {
  const policy = {
    concurrency: options.concurrency,
    approvalRequired: false,
    packageSha256: { x64: DEMO_SHA256 },
    failureBudget: { overall: { percent: 20 } },
    offlineAgent: { waitSeconds: 30, afterWait: 'skip' },
  };
  const created = await server.engine.create({ update: 'KB959241', policy }, 'demo');
  await server.engine.act(created.id, 'start', 'demo');
  return created.id;
}

async function watch(server: ExrolloutServer, id: string, options: DemoOptions, out: Output) {
  const stream = options.json ? out.stderr : out.stdout;
  let last = '';
  for (;;) {
    const view = await server.engine.view(id);
    const text = progressLines(view as unknown as ProgressRollout).join('\n');
    if (text !== last) stream.write(`${text}\n\n`);
    last = text;
    if (FINAL.has(view.state)) return view;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function holdOpen(url: string, admin: string, say: (line: string) => void): Promise<void> {
  say(`the demo keeps running: open ${url}/ and log in with ${admin}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** Checks `exrollout demo` numbers; throws a usage error naming the flag. */
export function checkDemoNumber(flag: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isFinite(value) || value < min || value > max))
    throw new CliError('CLI_ERR_USAGE', `${flag} must be a number from ${min} to ${max}`, EXIT.USAGE);
}
