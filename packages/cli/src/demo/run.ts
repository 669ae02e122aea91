import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from '@exrollout/fleet-sim';
import type { ExrolloutServer } from '@exrollout/server';
import type { RolloutView } from '../api/types.js';
import { rolloutExitCode } from '../commands/outcome.js';
import { API_EXIT, CliError, EXIT } from '../errors.js';
import type { Output } from '../io.js';
import { failureLines } from '../render/rollouts.js';
import { changePrinter, framePrinter, stopLine } from '../render/watch.js';
import type { SetupEnv } from '../setup/host.js';
import { EXIT_INTERRUPTED, type Interruption, interruption } from './interrupt.js';
import {
  createAndStart,
  type DemoParts,
  type DemoServer,
  loadScenario,
  startDemoFleet,
  startDemoServer,
} from './parts.js';
import { type DemoRedis, ensureRedis } from './redis.js';
import { leftOutLines, type TrailEvent, trailLines } from './report.js';

/** Options of `exrollout demo`. */
export interface DemoOptions extends DemoParts {
  readonly thenRollback: boolean;
  readonly json: boolean;
  /** stdout is a terminal: the live view redraws in place (else one line per change). */
  readonly tty: boolean;
  /** Terminal width, for cutting redrawn lines. */
  readonly columns: number;
}

const FINAL = new Set(['completed', 'completed-with-failures', 'aborted', 'halted', 'rolled-back']);

/** Runs the demo: Redis, a server, a simulated fleet, and a KB959241 rollout watched live. Returns the exit code. */
export async function runDemo(options: DemoOptions, out: Output, env: SetupEnv): Promise<number> {
  const stream = options.json ? out.stderr : out.stdout;
  const say = (line: string) => stream.write(`${line}\n`);
  const interrupt = interruption();
  let redis: DemoRedis | undefined;
  let demo: DemoServer | undefined;
  let fleet: Fleet | undefined;
  try {
    redis = await ensureRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env, say);
    demo = await startDemoServer(redis, options, say);
    const { server, url, admin } = demo;
    say(`server ${url} (dashboard ${url}/, API ${url}/docs); admin token: ${admin}`);
    if (!redis.private)
      say(`its keys in ${redis.url} start with ${demo.prefix}; they are deleted when the demo ends`);
    const scenario = await loadScenario(options);
    if (interrupt.signal.aborted) return interrupted(say);
    fleet = await startDemoFleet(server, url, admin, scenario);
    say(`${scenario.servers.length} simulated agents enrolled and reporting`);
    if (interrupt.signal.aborted) return interrupted(say);
    const created = await createAndStart(server, options.concurrency);
    say(`rollout ${created.id} of KB959241 started over ${scenario.servers.length} simulated servers`);
    for (const line of leftOutLines(created)) say(line);
    let final = await watch(server, created.id, options, stream, interrupt);
    if (final) for (const line of failureLines(final)) say(line);
    const rollBack =
      options.thenRollback &&
      final !== undefined &&
      ['completed', 'completed-with-failures'].includes(final.state);
    if (rollBack) {
      await server.engine.rollback(created.id, { kind: 'all' }, 'demo', 'demo --then-rollback');
      say(`rolling ${created.id} back`);
      final = await watch(server, created.id, options, stream, interrupt);
    }
    if (!final) return interrupted(say);
    for (const line of trailLines(await trail(server, created.id))) say(line);
    if (options.json) out.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
    if (!options.untilDone) await holdOpen(url, admin, say, interrupt.signal);
    // The exit code of `rollouts watch`; a rollback that did not bring every server back stopped short (3).
    if (rollBack) return final.state === 'rolled-back' ? EXIT.OK : API_EXIT.REFUSED;
    return rolloutExitCode(final.state);
  } finally {
    interrupt.dispose();
    // The server first: an agent it disconnects as it goes is not an agent dropping mid-step, and after the
    // fleet nothing writes a key any more, so the keys can go.
    await demo?.server.app.close().catch(() => undefined);
    await fleet?.stop().catch(() => undefined);
    await demo?.release().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
  }
}

function interrupted(say: (line: string) => void): number {
  say('interrupted: stopping the fleet and the server, and deleting what the demo put in Redis');
  return EXIT_INTERRUPTED;
}

// Polls the rollout until it ends (or the demo is interrupted: undefined), drawing it live.
async function watch(
  server: ExrolloutServer,
  id: string,
  options: DemoOptions,
  stream: Output['stdout'],
  interrupt: Interruption,
): Promise<RolloutView | undefined> {
  const write = (text: string) => stream.write(text);
  const print = options.tty && !options.json ? framePrinter(write, options.columns) : changePrinter(write);
  while (!interrupt.signal.aborted) {
    const view = await server.engine.view(id);
    print(view);
    if (FINAL.has(view.state)) {
      write(`${stopLine(view)}\n`);
      return view;
    }
    await sleep(500, undefined, { signal: interrupt.signal }).catch(() => undefined);
  }
  return undefined;
}

async function trail(server: ExrolloutServer, id: string): Promise<TrailEvent[]> {
  const events: TrailEvent[] = [];
  let after = '-';
  for (;;) {
    const page = await server.engine.store.trail.range(id, after, 1000);
    events.push(...page);
    const last = page.at(-1);
    if (page.length < 1000 || !last) return events;
    after = last.id;
  }
}

async function holdOpen(url: string, admin: string, say: (line: string) => void, signal: AbortSignal) {
  say(`the demo keeps running: open ${url}/ and log in with ${admin}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Checks `exrollout demo` numbers; throws a usage error naming the flag. */
export function checkDemoNumber(flag: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isFinite(value) || value < min || value > max))
    throw new CliError('CLI_ERR_USAGE', `${flag} must be a number from ${min} to ${max}`, EXIT.USAGE);
}
