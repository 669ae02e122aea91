import type { Fleet } from './fleet.js';
import type { FleetAgent } from './fleet-agent.js';
import { type Random, seededRandom } from './random.js';

/** Which agents flap and how: each one is connected for a while, goes away for a while, and comes back. */
export interface FlapOptions {
  /** How many agents of the fleet flap, picked by `seed`. */
  readonly count: number;
  /** The same seed picks the same agents and gives each the same sequence of durations. */
  readonly seed: number;
  /** How long an agent stays away each time, in milliseconds: uniform in [min, max]. */
  readonly awayMs: readonly [number, number];
  /** How long an agent stays connected between two flaps, in milliseconds: uniform in [min, max]. */
  readonly upMs: readonly [number, number];
  /** Share of flaps (0 to 1) that drop the connection without a close frame; the others close it (1000). @default 0.5 */
  readonly abruptShare?: number;
}

/** What flapping has done so far. */
export interface FlapCounts {
  /** Connections taken down. */
  readonly flaps: number;
  /** Of those, dropped without a close frame. */
  readonly abrupt: number;
  /** Agents told to connect again after being away. */
  readonly returns: number;
}

/** Flapping agents of a running fleet. */
export interface Flapper {
  /** The names of the agents that flap. */
  readonly names: readonly string[];
  /** What flapping has done so far. */
  counts(): FlapCounts;
  /** Stops flapping and brings back every agent that is away; resolves once each was told to connect. */
  stop(): Promise<void>;
}

/**
 * Starts taking `count` agents of the fleet down and up again, each on its own seeded schedule, until `stop()`:
 * a network that keeps failing for part of the fleet. An agent's first flap comes within its first `upMs`.
 */
export function startFlapping(fleet: Fleet, options: FlapOptions): Flapper {
  checkRange('awayMs', options.awayMs);
  checkRange('upMs', options.upMs);
  const random = seededRandom(options.seed);
  const chosen = pick(fleet.agents, options.count, random);
  const counts = { flaps: 0, abrupt: 0, returns: 0 };
  const loops = chosen.map(
    (agent) => new FlapLoop(agent, seededRandom(Math.floor(random() * 2 ** 32)), options, counts),
  );
  for (const loop of loops) loop.start();
  return {
    names: chosen.map((agent) => agent.name),
    counts: () => ({ ...counts }),
    stop: async () => {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}

/** One agent's schedule: up, down, away, back, and again. */
class FlapLoop {
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<unknown> = Promise.resolve();
  #away = false;
  #stopped = false;

  constructor(
    readonly agent: FleetAgent,
    readonly random: Random,
    readonly options: FlapOptions,
    readonly counts: { flaps: number; abrupt: number; returns: number },
  ) {}

  start(): void {
    this.#schedule(() => this.#down(), this.random() * this.options.upMs[1]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
    if (this.#away) await this.#up();
  }

  #schedule(step: () => Promise<void>, delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#busy = step();
    }, delayMs);
  }

  async #down(): Promise<void> {
    const abrupt = this.random() < (this.options.abruptShare ?? 0.5);
    this.#away = true;
    this.counts.flaps += 1;
    if (abrupt) this.counts.abrupt += 1;
    await (abrupt ? this.agent.kill() : this.agent.disconnect());
    this.#schedule(() => this.#up(), between(this.random, this.options.awayMs));
  }

  async #up(): Promise<void> {
    this.#away = false;
    this.counts.returns += 1;
    // Not awaited: the first attempt may wait on backoff, and the agent's next flap is timed from its return.
    void this.agent.reconnect();
    this.#schedule(() => this.#down(), between(this.random, this.options.upMs));
  }
}

function pick(agents: readonly FleetAgent[], count: number, random: Random): FleetAgent[] {
  if (!Number.isInteger(count) || count < 0 || count > agents.length)
    throw new RangeError(`count must be an integer from 0 to ${agents.length} (got ${count})`);
  const pool = [...agents];
  // A partial Fisher-Yates shuffle: the first `count` entries are a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as FleetAgent, pool[i] as FleetAgent];
  }
  return pool.slice(0, count);
}

function between(random: Random, [min, max]: readonly [number, number]): number {
  return min + random() * (max - min);
}

function checkRange(name: string, [min, max]: readonly [number, number]): void {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && min <= max))
    throw new RangeError(`${name} must be [min, max] with 0 <= min <= max (got [${min}, ${max}])`);
}
