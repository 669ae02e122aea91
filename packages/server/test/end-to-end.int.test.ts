import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeysWithPrefix } from '../src/redis.js';
import { type AgentProcess, startAgentProcess } from './chaos/agent-process.js';
import { eventually } from './helpers.js';
import { createTokenWithCli, type ServerProcess, serverEnv, startServerProcess } from './process.js';

// One real `exrollout-server`, three real `exrollout-agent` processes with the simulated driver, and the
// operator's `exrollout` command, each started as docs/server.md, docs/agent.md and docs/cli.md say: a whole
// KB959241 rollout and its rollback, judged only by what the CLI prints and the agents report.
const CLI_BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'exrollout.mjs');
const RU4 = '8.1.311.3';
const RU5 = '8.1.336.1';
const RU6 = '8.1.340.1';
const X64 = 'Exchange2007-KB959241-x64-EN.msp';
const SHA = 'e2e0'.repeat(16);
const HOSTS = [
  { name: 'E2E-CASX', roles: ['ClientAccess'], internetFacing: true, owaCustomized: true, build: RU4 },
  { name: 'E2E-CASI', roles: ['ClientAccess'], internetFacing: false, build: RU5 },
  { name: 'E2E-HUB', roles: ['HubTransport'], build: RU4 },
] as const;

const prefix = `test-${randomUUID()}:`;
const env = serverEnv(prefix);
const dir = mkdtempSync(join(tmpdir(), 'exr-e2e-'));
const agents: AgentProcess[] = [];
let server: ServerProcess;
let admin: string;

/** Runs `exrollout ARGS --json` as an operator would, and parses what it printed. */
async function exrollout<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI_BIN, ...args, '--json'], {
    env: { ...process.env, EXROLLOUT_SERVER: server.url, EXROLLOUT_TOKEN: admin },
  });
  return JSON.parse(stdout) as T;
}

interface Rollout {
  state: string;
  rollbackId?: string;
  waves: { name: string; servers: { name: string; state: string; toBuild: string | null }[] }[];
}
interface Servers {
  servers: { name: string; build: string; online: boolean }[];
}

const builds = async () =>
  Object.fromEntries((await exrollout<Servers>('servers', 'list')).servers.map((s) => [s.name, s.build]));

async function until(id: string, state: string, timeoutMs: number): Promise<Rollout> {
  let last: Rollout | undefined;
  await eventually(
    async () => {
      last = await exrollout<Rollout>('rollouts', 'show', id);
      return last.state === state;
    },
    timeoutMs,
    `rollout ${id} ${state}`,
  );
  return last as Rollout;
}

beforeAll(async () => {
  server = await startServerProcess(env, `e2e-${randomUUID().slice(0, 8)}`);
  admin = await createTokenWithCli(env, 'admin');
  const enrol = await exrollout<{ token: string }>('enrolment-tokens', 'create', '--uses', '3');
  for (const { name, ...record } of HOSTS) {
    const simFile = join(dir, `${name}.json`);
    const host = { server: { name, site: 'HQ', ...record } };
    const behaviour = { installSeconds: 0.3, stepSeconds: 0.02, packages: { [X64]: SHA } };
    writeFileSync(simFile, JSON.stringify({ ...host, behaviour }));
    agents.push(
      startAgentProcess([
        ...['--server', server.url, '--enrol', enrol.token, '--name', name],
        ...['--driver', 'simulated', '--sim-file', simFile, '--state-dir', join(dir, name)],
        ...['--log-level', 'warn'],
      ]),
    );
  }
  await eventually(
    async () => (await exrollout<Servers>('servers', 'list', '--online')).servers.length === HOSTS.length,
    15_000,
    'every agent enrolled and online',
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await server?.stop();
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('end to end: a server process, agent processes and the CLI, through a rollout and its rollback', () => {
  it('updates every server to RU6 in wave order, then rolls each back to the build it had', {
    timeout: 90_000,
  }, async () => {
    const before = await builds();
    expect(before).toEqual({ 'E2E-CASX': RU4, 'E2E-CASI': RU5, 'E2E-HUB': RU4 });
    const created = await exrollout<{ id: string }>(
      ...['rollouts', 'create', '--sha256', SHA, '--no-approval', '--concurrency', '2'],
    );
    await exrollout('rollouts', 'start', created.id);
    const done = await until(created.id, 'completed', 40_000);
    expect(done.waves.map((wave) => wave.servers.map((s) => [s.name, s.state, s.toBuild]))).toEqual([
      [['E2E-CASX', 'succeeded', RU6]],
      [['E2E-CASI', 'succeeded', RU6]],
      [['E2E-HUB', 'succeeded', RU6]],
    ]);
    // The agents' own reports, not the rollout's record, say where each server is now.
    await eventually(
      async () => Object.values(await builds()).every((build) => build === RU6),
      10_000,
      'every agent reports RU6',
    );

    const rolling = await exrollout<Rollout>(
      ...['rollouts', 'rollback', created.id, '--reason', 'end-to-end test: OWA logons fail'],
    );
    expect(rolling.state).toBe('rolling-back');
    const back = await until(created.id, 'rolled-back', 40_000);
    expect(back.waves.flatMap((wave) => wave.servers.map((s) => s.state))).toEqual([
      'rolled-back',
      'rolled-back',
      'rolled-back',
    ]);
    await eventually(
      async () => JSON.stringify(await builds()) === JSON.stringify(before),
      10_000,
      'every agent reports the build it had before',
    );
    const trail = await exrollout<{ events: { type: string; server?: string }[] }>(
      ...['rollouts', 'events', String(rolling.rollbackId ?? back.rollbackId)],
    );
    const order = trail.events.filter((e) => e.type === 'server.rolled-back').map((e) => e.server);
    expect(order).toEqual(['E2E-HUB', 'E2E-CASI', 'E2E-CASX']);
  });
});
